"""Merge sort: split the list in halves, sort each half, merge the sorted halves."""


def merge_sort(items: list[int]) -> list[int]:
    if len(items) <= 1:
        return items
    middle = len(items) // 2
    return merge(merge_sort(items[:middle]), merge_sort(items[middle:]))


def merge(left: list[int], right: list[int]) -> list[int]:
    """Interleave two sorted lists; stable, O(n log n) comparisons overall."""
    merged: list[int] = []
    while left and right:
        merged.append(left.pop(0) if left[0] <= right[0] else right.pop(0))
    return merged + left + right
