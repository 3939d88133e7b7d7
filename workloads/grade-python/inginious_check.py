"""The grade-python task's tests in the grading container (INGInious task): the student's
module ran in a student container (driver.py); its results are judged here with the same
assertions as tests.py, and printed the same way: one line per test in name order, the score."""
import json
import math
import sys

sys.path.insert(0, '/course/common')
from run_student import run_student  # noqa: E402  crbench's agent client, in $common

# test name → (the driver's call, what the result must satisfy)
TESTS = {
    'test_fizzbuzz': ('fizzbuzz_tail', lambda value: value == ['13', '14', 'FizzBuzz']),
    'test_is_palindrome_case': ('is_palindrome_case', lambda value: value is True),
    'test_is_palindrome_plain': ('is_palindrome_plain', lambda value: value is True),
    'test_mean': ('mean', lambda value: isinstance(value, (int, float)) and math.isclose(value, 2.5, abs_tol=1e-7)),
    'test_mean_empty': ('mean_empty', lambda value: value == 0.0),
    'test_roman_simple': ('roman_simple', lambda value: value == 'MMXXVI'),
    'test_roman_subtractive': ('roman_subtractive', lambda value: value == 'MCMXCIV'),
    'test_word_count': ('word_count', lambda value: value == {'the': 2, 'cat': 1, 'and': 1, 'hat': 1}),
}


def main():
    answer = run_student(['/usr/bin/python3', '-B', '/task/student/driver.py'])
    results = {}
    for line in answer['stdout'].splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        results[entry.get('call')] = entry
    passed = 0
    for test in sorted(TESTS):
        call, holds = TESTS[test]
        entry = results.get(call, {'error': 'missing'})
        ok = 'error' not in entry and holds(entry.get('value'))
        passed += ok
        print(('PASS ' if ok else 'FAIL ') + test)
    print('score: %d/%d' % (passed, len(TESTS)))


if __name__ == '__main__':
    main()
