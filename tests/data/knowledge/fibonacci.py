"""Fibonacci numbers, computed three ways."""

from functools import cache


def fibonacci_iterative(n: int) -> int:
    """The n-th Fibonacci number with a loop: each number is the sum of the two before it."""
    previous, current = 0, 1
    for _ in range(n):
        previous, current = current, previous + current
    return previous


@cache
def fibonacci_memoized(n: int) -> int:
    """Recursion with memoization, so every value is computed once."""
    return n if n < 2 else fibonacci_memoized(n - 1) + fibonacci_memoized(n - 2)


def golden_ratio_estimate(n: int) -> float:
    """The ratio of consecutive Fibonacci numbers approaches the golden ratio."""
    return fibonacci_iterative(n + 1) / fibonacci_iterative(n)
