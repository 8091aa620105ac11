"""The restore's chunk schedule (dumpcore/restore/schedule.py): a table per connection, in key
order, larger tables first; idle connections help the table with the most bytes left."""
import threading

from dumpcore.restore.schedule import ChunkQueue


def _queue():
    return ChunkQueue([("big", [("b1", 8), ("b2", 8), ("b3", 8), ("b4", 8)]), ("mid", [("m1", 8), ("m2", 4)]),
                       ("small", [("s1", 2)]), ("empty", [])])


def test_each_worker_keeps_to_its_own_table_then_helps_the_one_with_most_left():
    q = _queue()
    a, b = object(), object()
    assert [q.take(a), q.take(b)] == ["b1", "m1"]
    assert [q.take(a), q.take(b)] == ["b2", "m2"]
    assert q.take(b) == "s1"  # a table nobody has started
    assert [q.take(b), q.take(a), q.take(b)] == ["b3", "b4", None]  # b helps big, in key order
    assert q.take(a) is None


def test_every_item_is_taken_once_across_threads():
    items = [(f"t{t}", [(f"t{t}c{c}", c + 1) for c in range(50)]) for t in range(7)]
    q = ChunkQueue(items)
    taken: list[str] = []
    lock = threading.Lock()

    def worker():
        me = object()
        while (item := q.take(me)) is not None:
            with lock:
                taken.append(item)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(taken) == sorted(name for _, chunks in items for name, _ in chunks)


def test_filler_tables_wait_until_no_other_table_has_a_chunk_left():
    # "events" is first and largest, but no ALTER waits for it: it loads while the keys
    # of the others are added, so the others are loaded (helped) first
    q = ChunkQueue([("events", [("e1", 9), ("e2", 9)]), ("big", [("b1", 8), ("b2", 8), ("b3", 8)]),
                    ("small", [("s1", 2)])], last={"events"})
    a, b = object(), object()
    assert [q.take(a), q.take(b)] == ["b1", "s1"]
    assert [q.take(b), q.take(a)] == ["b2", "b3"]  # b helps big before starting events
    assert [q.take(b), q.take(a), q.take(b), q.take(a)] == ["e1", "e2", None, None]
