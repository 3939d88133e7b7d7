/* A student's submission: mostly right, with three mistakes the tests catch. */
#include <string.h>
#include "student.h"

int factorial(int n)
{
    int result = n; /* wrong for n = 0 */
    while (--n > 0)
        result *= n;
    return result;
}

int gcd(int a, int b)
{
    while (b != 0) {
        int rest = a % b;
        a = b;
        b = rest;
    }
    return a;
}

int is_prime(int n)
{
    /* forgets that 0 and 1 are not prime */
    for (int d = 2; d * d <= n; d++)
        if (n % d == 0)
            return 0;
    return 1;
}

int sum_array(const int *values, int length)
{
    int sum = 0;
    for (int i = 1; i < length; i++) /* off by one: skips the first value */
        sum += values[i];
    return sum;
}

void reverse(char *s)
{
    size_t length = strlen(s);
    for (size_t i = 0; i < length / 2; i++) {
        char c = s[i];
        s[i] = s[length - 1 - i];
        s[length - 1 - i] = c;
    }
}

int count_char(const char *s, char c)
{
    int count = 0;
    for (; *s != '\0'; s++)
        if (*s == c)
            count++;
    return count;
}
