"""Best available: which adjacent seats to offer for a quantity, as a pure rule.

Sections in venue order, rows front to back (as the venue lists them): a seat's quality is
its section and row. Within the best row that has a block, a block that strands no single free
seat (leaves a free seat whose other neighbour is taken or the row's end) beats one that
does, then fewer stranded seats, then the block whose middle is nearest the row's middle,
then the leftmost. So a single seat is stranded only when every block of that row would.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from .catalog import Row, Section, seat_id


@dataclass(frozen=True)
class Block:
    section: str
    row: str
    start: int  # the first seat's number
    quantity: int

    @property
    def seat_ids(self) -> tuple[str, ...]:
        return tuple(seat_id(self.section, self.row, n)
                     for n in range(self.start, self.start + self.quantity))


def ranked_blocks(section: Section, is_free: Callable[[str], bool],
                  quantity: int) -> list[Block]:
    """Every block of `quantity` free adjacent seats in one section, best first."""
    scored = []
    for row_index, row in enumerate(section.rows):
        for start, distance, stranded in _row_blocks(section.name, row, is_free, quantity):
            scored.append(((row_index, stranded, distance, start),
                           Block(section.name, row.name, start, quantity)))
    return [block for _, block in sorted(scored, key=lambda pair: pair[0])]


def best_block(sections: Iterable[Section], is_free: Callable[[str], bool],
               quantity: int) -> Block | None:
    """The best block of the first section (in venue order) that has one."""
    for section in sections:
        blocks = ranked_blocks(section, is_free, quantity)
        if blocks:
            return blocks[0]
    return None


def _row_blocks(section: str, row: Row, is_free, quantity: int):
    """(start, doubled distance from the row's middle, seats it strands) for each block, from
    the row's runs of free seats: a block strands a seat when it leaves exactly one free seat
    between itself and the end of its run."""
    for first, last in _free_runs(section, row, is_free):
        for start in range(first, last - quantity + 2):
            end = start + quantity - 1
            stranded = (start - first == 1) + (last - end == 1)
            yield start, abs(start + end - (row.seats + 1)), stranded


def _free_runs(section: str, row: Row, is_free):
    run_start = None
    for number in range(1, row.seats + 2):
        free = number <= row.seats and is_free(seat_id(section, row.name, number))
        if free and run_start is None:
            run_start = number
        elif not free and run_start is not None:
            yield run_start, number - 1
            run_start = None
