"""bench/perf_profile.py: a perf report read into symbols and groups (no perf run here)."""

from bench.perf_profile import CLIENT_GROUPS, SERVER_GROUPS, grouped, parse_report

REPORT = """
    21.50%  mariadbd           [.] Protocol_text::store_longlong
    10.25%  [kernel.kallsyms]  [k] copy_user_enhanced_fast_string
     8.00%  mariadbd           [.] row_search_mvcc
     5.00%  libc.so.6          [.] __memmove_avx_unaligned_erms
     2.50%  mariadbd           [.] 0x0000000000f3d420
     1.25%  mariadbd           [.] some_unknown_function
"""


def test_report_rows_keep_the_kernel_mark_and_the_share():
    rows = parse_report(REPORT)
    assert rows[0] == (21.5, "Protocol_text::store_longlong")
    assert rows[1] == (10.25, "[k] copy_user_enhanced_fast_string")
    assert rows[4] == (2.5, "0x0000000000f3d420 in mariadbd")
    assert len(rows) == 6


def test_each_symbol_counts_in_its_first_group_once():
    sums = dict(grouped(parse_report(REPORT), SERVER_GROUPS))
    assert sums["values formatted as text"] == 21.5
    assert sums["kernel"] == 10.25
    assert sums["memory"] == 5.0
    assert sums["mariadbd without a symbol (InnoDB, mostly)"] == 2.5
    assert sums["other"] == 9.25
    assert abs(sum(sums.values()) - 48.5) < 1e-9


def test_client_groups_name_the_codec_and_the_client_library():
    rows = [(30.0, "__pyx_f_8dumpcore_5codec_8_encoder_encode_row"), (12.0, "mysql_fetch_row"),
            (3.0, "XXH3_64bits_update"), (2.0, "_PyEval_EvalFrameDefault"), (1.0, "0x21e80 in libmariadb.so.3"),
            (0.5, "0x1dee1 in libdeflate.so.0"), (0.25, "0x1234 in libfoo.so")]
    sums = dict(grouped(rows, CLIENT_GROUPS))
    assert (sums["compiled codec"], sums["mysql client library"]) == (30.0, 13.0)
    assert (sums["libraries without a symbol"], sums["compression and hashing"]) == (0.25, 3.5)
    assert sums["python interpreter"] == 2.0
