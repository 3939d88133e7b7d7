"""Runs in the student container (INGInious task): calls the student's functions and prints
each result, or the exception it raised, as one JSON line per call. The verdicts are the
grading container's (inginious_check.py)."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import solution  # noqa: E402  the student's module, beside this file in /task/student

CALLS = [
    ('fizzbuzz_tail', lambda: solution.fizzbuzz(15)[-3:]),
    ('is_palindrome_case', lambda: solution.is_palindrome('Racecar')),
    ('is_palindrome_plain', lambda: solution.is_palindrome('never odd or even')),
    ('mean', lambda: solution.mean([1, 2, 3, 4])),
    ('mean_empty', lambda: solution.mean([])),
    ('roman_simple', lambda: solution.roman(2026)),
    ('roman_subtractive', lambda: solution.roman(1994)),
    ('word_count', lambda: solution.word_count('the cat and The hat')),
]

for name, call in CALLS:
    try:
        print(json.dumps({'call': name, 'value': call()}))
    except Exception as error:  # noqa: BLE001  any failure of the student's code is a result
        print(json.dumps({'call': name, 'error': type(error).__name__}))
