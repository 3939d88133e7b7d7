/* Runs in the student container (INGInious task): calls the student's functions and prints
 * each result as `call<TAB>value`, one per line. The verdicts are the grading container's. */
#include <stdio.h>
#include "student.h"

int main(void)
{
    int values[] = {3, 4, 5};
    char word[] = "grading";

    printf("factorial(5)\t%d\n", factorial(5));
    printf("factorial(0)\t%d\n", factorial(0));
    printf("gcd(12, 18)\t%d\n", gcd(12, 18));
    printf("gcd(7, 0)\t%d\n", gcd(7, 0));
    printf("is_prime(97)\t%d\n", is_prime(97));
    printf("is_prime(91)\t%d\n", is_prime(91));
    printf("is_prime(1)\t%d\n", is_prime(1));
    printf("sum_array({3, 4, 5})\t%d\n", sum_array(values, 3));
    reverse(word);
    printf("reverse(\"grading\")\t%s\n", word);
    printf("count_char(\"banana\", 'a')\t%d\n", count_char("banana", 'a'));
    return 0;
}
