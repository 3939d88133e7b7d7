"""Teacher's tests of the grade-python task: one line per test, then the score."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'student'))
import solution  # noqa: E402  the student's module


class TestSolution(unittest.TestCase):
    def test_fizzbuzz(self):
        self.assertEqual(solution.fizzbuzz(15)[-3:], ['13', '14', 'FizzBuzz'])

    def test_is_palindrome_plain(self):
        self.assertTrue(solution.is_palindrome('never odd or even'))

    def test_is_palindrome_case(self):
        self.assertTrue(solution.is_palindrome('Racecar'))

    def test_mean(self):
        self.assertAlmostEqual(solution.mean([1, 2, 3, 4]), 2.5)

    def test_mean_empty(self):
        self.assertEqual(solution.mean([]), 0.0)

    def test_word_count(self):
        self.assertEqual(solution.word_count('the cat and The hat'), {'the': 2, 'cat': 1, 'and': 1, 'hat': 1})

    def test_roman_simple(self):
        self.assertEqual(solution.roman(2026), 'MMXXVI')

    def test_roman_subtractive(self):
        self.assertEqual(solution.roman(1994), 'MCMXCIV')


def main():
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(TestSolution)
    ids = [test.id() for test in suite]  # in name order; running the suite empties it
    result = unittest.TestResult()
    suite.run(result)
    failed = {test.id() for test, _ in result.failures + result.errors}
    for test_id in ids:
        print(('FAIL ' if test_id in failed else 'PASS ') + test_id.rsplit('.', 1)[1])
    print(f'score: {result.testsRun - len(failed)}/{result.testsRun}')


if __name__ == '__main__':
    main()
