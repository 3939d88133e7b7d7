/* Teacher's tests of the grade-c task: one line per test, then the score. */
#include <stdio.h>
#include <string.h>
#include "student.h"

static int passed, total;

static void expect_int(const char *what, int expected, int got)
{
    total++;
    if (expected == got) {
        passed++;
        printf("PASS %s\n", what);
    } else {
        printf("FAIL %s: expected %d, got %d\n", what, expected, got);
    }
}

static void expect_string(const char *what, const char *expected, const char *got)
{
    total++;
    if (strcmp(expected, got) == 0) {
        passed++;
        printf("PASS %s\n", what);
    } else {
        printf("FAIL %s: expected \"%s\", got \"%s\"\n", what, expected, got);
    }
}

int main(void)
{
    int values[] = {3, 4, 5};
    char word[] = "grading";

    expect_int("factorial(5)", 120, factorial(5));
    expect_int("factorial(0)", 1, factorial(0));
    expect_int("gcd(12, 18)", 6, gcd(12, 18));
    expect_int("gcd(7, 0)", 7, gcd(7, 0));
    expect_int("is_prime(97)", 1, is_prime(97));
    expect_int("is_prime(91)", 0, is_prime(91));
    expect_int("is_prime(1)", 0, is_prime(1));
    expect_int("sum_array({3, 4, 5})", 12, sum_array(values, 3));
    reverse(word);
    expect_string("reverse(\"grading\")", "gnidarg", word);
    expect_int("count_char(\"banana\", 'a')", 3, count_char("banana", 'a'));
    printf("score: %d/%d\n", passed, total);
    return 0;
}
