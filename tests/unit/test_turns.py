"""SQLite writers' turns (storage/_turns.py): a thread that asks while another holds the turn
gets it next, even when the holder asks again at once (an import's next transaction)."""

from __future__ import annotations

import threading
import time

from rosterd.storage._turns import Turns


def test_a_waiting_writer_gets_the_next_turn() -> None:
    turns, stop = Turns(), threading.Event()
    hog_turns = [0]
    passed_by: list[int] = []  # the hog's turns that ended while the beat waited

    def hog() -> None:  # an import: turn after turn, asking again as soon as it lets go
        while not stop.is_set():
            with turns:
                held = time.monotonic()
                while time.monotonic() - held < 0.02:  # work, holding the GIL as an import does
                    pass
                hog_turns[0] += 1

    def beat() -> None:  # a heartbeat: one short turn every so often
        for _ in range(30):
            asked = hog_turns[0]
            with turns:
                passed_by.append(hog_turns[0] - asked)
            time.sleep(0.005)

    hogging = threading.Thread(target=hog)
    hogging.start()
    time.sleep(0.01)
    beating = threading.Thread(target=beat)
    beating.start()
    beating.join(timeout=30)
    stop.set()
    hogging.join(timeout=10)
    assert len(passed_by) == 30
    # The turn it asked during (and one more if it was held up before asking); with a
    # threading.Lock, up to dozens.
    assert max(passed_by) <= 2


def test_turns_are_taken_one_at_a_time() -> None:
    turns, inside, most = Turns(), [0], [0]

    def write() -> None:
        for _ in range(200):
            with turns:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
                inside[0] -= 1

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert most[0] == 1
