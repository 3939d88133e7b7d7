/* The functions the student must write (given by the teacher). */
#ifndef STUDENT_H
#define STUDENT_H

/* n! for 0 <= n <= 12. */
int factorial(int n);
/* Greatest common divisor of two non-negative numbers, gcd(a, 0) = a. */
int gcd(int a, int b);
/* 1 if n is prime, 0 otherwise (0 and 1 are not prime). */
int is_prime(int n);
/* Sum of the `length` values. */
int sum_array(const int *values, int length);
/* Reverses the string in place. */
void reverse(char *s);
/* How many times c occurs in s. */
int count_char(const char *s, char c);

#endif
