"""A student's submission: mostly right, with three mistakes the tests catch."""


def fizzbuzz(n):
    """The FizzBuzz words for 1..n."""
    words = []
    for i in range(1, n + 1):
        if i % 15 == 0:
            words.append('FizzBuzz')
        elif i % 3 == 0:
            words.append('Fizz')
        elif i % 5 == 0:
            words.append('Buzz')
        else:
            words.append(str(i))
    return words


def is_palindrome(text):
    """Whether text reads the same backwards, ignoring case and spaces."""
    letters = text.replace(' ', '')  # forgets to ignore case
    return letters == letters[::-1]


def mean(values):
    """The arithmetic mean; 0.0 for no values."""
    return sum(values) / len(values)  # fails on an empty list


def word_count(text):
    """How often each word occurs, case-insensitively."""
    counts = {}
    for word in text.lower().split():
        counts[word] = counts.get(word, 0) + 1
    return counts


def roman(n):
    """n in Roman numerals, 1 <= n <= 3999."""
    numerals = [(1000, 'M'), (500, 'D'), (100, 'C'), (50, 'L'), (10, 'X'), (5, 'V'), (1, 'I')]  # no subtractive forms
    result = ''
    for value, letters in numerals:
        while n >= value:
            result += letters
            n -= value
    return result
