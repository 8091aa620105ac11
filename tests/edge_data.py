"""A database holding every MariaDB column type at its edges, built deterministically."""
from __future__ import annotations

import random

from dumpcore.connect.connection import Connection, quote_ident

ALL_TYPES_DDL = """CREATE TABLE all_types (
  id INT NOT NULL PRIMARY KEY,
  ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED, mi MEDIUMINT, miu MEDIUMINT UNSIGNED,
  i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED,
  d65 DECIMAL(65,30), d10 DECIMAL(10,0), f FLOAT, dbl DOUBLE,
  b1 BIT(1), b7 BIT(7), b64 BIT(64),
  dt DATE, dtt DATETIME(6), ts TIMESTAMP(6) NULL DEFAULT NULL, tm TIME(6), yr YEAR,
  c CHAR(10), vc VARCHAR(255), tx TEXT, mtx MEDIUMTEXT,
  l1 VARCHAR(100) CHARACTER SET latin1, u3 VARCHAR(100) CHARACTER SET utf8mb3,
  e ENUM('', 'a', 'b c', 'd''e'), st SET('', 'x', 'y', 'z'),
  js JSON, uu UUID, ip6 INET6, ip4 INET4,
  bin BINARY(8), vbin VARBINARY(300), bl BLOB, lbl LONGBLOB,
  g GEOMETRY, pt POINT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"""

JSON_TEXT = '{"a": "x\\"y", "n": [1, 2.5, null], "u": "😀"}'
NASTY = "it's \"quoted\" back\\slash NUL\0 CR\r LF\n Ctrl-Z\x1a tab\t emoji 😀 中文 \\' end\\"


def _s(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'").replace("\0", "\\0").replace("\n", "\\n") \
        .replace("\r", "\\r").replace("\x1a", "\\Z") + "'"


def _hex(b: bytes) -> str:
    return "0x" + b.hex() if b else "''"


def create_edge_database(conn: Connection, database: str) -> None:
    rnd = random.Random(7)
    big_blob = bytes(rnd.getrandbits(8) for _ in range(3 * 1024 * 1024))
    conn.execute(f"USE {quote_ident(database)}")
    conn.execute("SET SESSION sql_mode = '', time_zone = '+00:00'")
    conn.execute(ALL_TYPES_DDL)
    cols = ("id,ti,tiu,si,siu,mi,miu,i,iu,bi,biu,d65,d10,f,dbl,b1,b7,b64,dt,dtt,ts,tm,yr,c,vc,tx,mtx,l1,u3,e,st,js,"
            "uu,ip6,ip4,bin,vbin,bl,lbl,g,pt")
    rows = [
        # minimums, zero dates, empty strings
        "1,-128,0,-32768,0,-8388608,0,-2147483648,0,-9223372036854775808,0,"
        "-99999999999999999999999999999999999.999999999999999999999999999999,-9999999999,"
        "-3.4028234663852886e38,-1.7976931348623157e308,b'0',b'0',0,'0000-00-00','0000-00-00 00:00:00.000000',"
        "'1970-01-01 00:00:01','-838:59:59.999999',1901,'','','','','','','','','[]',"
        "'00000000-0000-0000-0000-000000000000','::','0.0.0.0',0x0000000000000000,'','','',"
        "ST_GeomFromText('POINT(0 0)'),POINT(0,0)",
        # maximums and every escape
        f"2,127,255,32767,65535,8388607,16777215,2147483647,4294967295,9223372036854775807,18446744073709551615,"
        f"99999999999999999999999999999999999.999999999999999999999999999999,9999999999,"
        f"3.4028234663852886e38,1.7976931348623157e308,b'1',b'1111111',18446744073709551615,'9999-12-31',"
        f"'9999-12-31 23:59:59.999999','2038-01-19 03:14:07.999999','838:59:59.999999',2155,"
        f"{_s('ten chars!')},{_s(NASTY)},{_s(NASTY * 50)},{_s(NASTY * 3000)},{_s('café ñ ß ÿ ¤')},"
        f"{_s('ünïcödé ☃')},'d''e','x,y,z',{_s(JSON_TEXT)},"
        f"'ffffffff-ffff-ffff-ffff-ffffffffffff','ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff','255.255.255.255',"
        f"0x6162000000000000,{_hex(b'ab' + bytes(5))},{_hex(bytes(range(256)))},{_hex(big_blob)},"
        f"ST_GeomFromText('LINESTRING(0 0, 1.5 2.25, -3 4)'),POINT(-1.5,2.25)",
        # small and odd values
        "3,0,1,0,1,0,1,0,1,0,1,0.000000000000000000000000000001,0,1.1754943508222875e-38,4.9e-324,b'1',b'1010101',"
        "b'1000000000000000000000000000000000000000000000000000000000000001','2000-02-29','2020-00-00 00:00:00',"
        "'2000-01-01 00:00:00','-00:00:00.000001',0,' lead',' trail ','\\\\N','NULL',"
        "'\\\\','''','b c','','null','123e4567-e89b-12d3-a456-426614174000','2001:db8::1','10.0.0.1',"
        "0x00,0x0000,0x00,0x0a0d1a5c27,ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))'),POINT(1e300,-1e-300)",
        # all NULL
        "4" + ",NULL" * 40,
        # negative zero and values that print long
        "5,-1,2,-3,4,-5,6,-7,8,-9,10,-0.5,-0,0.1,-0e0,b'0',b'1',1,'1000-01-01','1000-01-01 00:00:00.000001',"
        "'1970-01-01 00:00:01.000001','-00:00:01',1999,'x','y','z','w','\\0','\\0','a','x','{}',NULL,NULL,NULL,"
        "NULL,NULL,NULL,NULL,NULL,NULL",
    ]
    for r in rows:
        conn.execute(f"INSERT INTO all_types ({cols}) VALUES ({r})")
    for k in range(6, 60):  # a spread of doubles and floats that round-trip only when printed in full
        x = rnd.uniform(-1, 1) * 10 ** rnd.randint(-30, 30)
        conn.execute(f"INSERT INTO all_types (id, f, dbl, d65, vc) VALUES ({k}, {x!r}, {x!r}, {abs(x) % 1e6:.12f}, "
                     f"{_s(''.join(chr(rnd.randint(32, 0x2FFF)) for _ in range(20)))})")

    # Generated and invisible columns, composite keys, reserved words, non-ASCII names, keyless rows.
    conn.execute("""CREATE TABLE `select` (
      `order` INT NOT NULL, `group` VARCHAR(20) NOT NULL, `naïve col` INT, `key` INT,
      g_virtual INT AS (`order` * 2) VIRTUAL, g_stored VARCHAR(40) AS (CONCAT('x', `group`)) PERSISTENT,
      secret INT INVISIBLE DEFAULT 7,
      PRIMARY KEY (`order`, `group`)) DEFAULT CHARSET=utf8mb4""")
    conn.execute("INSERT INTO `select` (`order`, `group`, `naïve col`, `key`, secret) VALUES "
                 "(1, 'a', 10, 100, 1), (1, 'b', NULL, 101, 2), (2, 'a', 30, NULL, 3)")
    conn.execute("CREATE TABLE `üñí 表` (`id``tick` INT PRIMARY KEY, `名前` VARCHAR(20)) DEFAULT CHARSET=utf8mb4")
    conn.execute("INSERT INTO `üñí 表` VALUES (1, '一'), (2, 'двa')")
    conn.execute("CREATE TABLE keyless (a INT, b VARCHAR(10), c DATETIME) DEFAULT CHARSET=utf8mb4")
    conn.execute("INSERT INTO keyless VALUES (1, 'dup', '2024-01-01'), (1, 'dup', '2024-01-01'), "
                 "(1, 'dup', '2024-01-01'), (NULL, NULL, NULL), (NULL, NULL, NULL), (2, 'x', NULL)")
    conn.execute("CREATE TABLE nullable_unique (a INT NULL, b INT, UNIQUE KEY (a))")
    conn.execute("INSERT INTO nullable_unique VALUES (NULL, 1), (NULL, 1), (5, 2)")
