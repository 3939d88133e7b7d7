"""The grade-c task's tests in the grading container (INGInious task): the student's program
ran in a student container; its results are checked here, one line per test, then the score,
exactly as tests.c prints them."""
import sys

sys.path.insert(0, '/course/common')
from run_student import run_student  # noqa: E402  crbench's agent client, in $common

EXPECTED = [
    ('factorial(5)', 120), ('factorial(0)', 1), ('gcd(12, 18)', 6), ('gcd(7, 0)', 7),
    ('is_prime(97)', 1), ('is_prime(91)', 0), ('is_prime(1)', 0), ('sum_array({3, 4, 5})', 12),
    ('reverse("grading")', 'gnidarg'), ("count_char(\"banana\", 'a')", 3),
]


def main():
    answer = run_student(['/task/student/driver'])
    got = dict(line.split('\t', 1) for line in answer['stdout'].splitlines() if '\t' in line)
    passed = 0
    for call, expected in EXPECTED:
        value = got.get(call)
        if isinstance(expected, str):
            ok = value == expected
            detail = 'expected "%s", got "%s"' % (expected, value)
        else:
            ok = value is not None and value.lstrip('-').isdigit() and int(value) == expected
            detail = 'expected %d, got %s' % (expected, value)
        passed += ok
        print('PASS %s' % call if ok else 'FAIL %s: %s' % (call, detail))
    if answer['retval'] != 0:
        print('the student program exited with %d' % answer['retval'])
    print('score: %d/%d' % (passed, len(EXPECTED)))


if __name__ == '__main__':
    main()
