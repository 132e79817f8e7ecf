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


def best_block(sections: Iterable[Section], is_free: Callable[[str], bool],
               quantity: int) -> Block | None:
    """The best block of the first section (in venue order) that has one."""
    return next(iter(successive_blocks(sections, is_free, quantity, 1)), None)


def successive_blocks(sections: Iterable[Section], is_free: Callable[[str], bool],
                      quantity: int, limit: int) -> list[Block]:
    """The blocks that `limit` requests made one after the other would get: the best block,
    then the best once it is taken, and so on. They never overlap, so requests made at the
    same time that spread over them do not clash."""
    taken: set[str] = set()
    found: list[Block] = []

    def free(sid: str) -> bool:
        return sid not in taken and is_free(sid)
    for section in sections:
        for row in section.rows:
            while len(found) < limit:
                blocks = sorted(((stranded, distance, start) for start, distance, stranded
                                 in _row_blocks(section.name, row, free, quantity)))
                if not blocks:
                    break
                block = Block(section.name, row.name, blocks[0][2], quantity)
                found.append(block)
                taken.update(block.seat_ids)
            if len(found) >= limit:
                return found
    return found


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
