/* Issue #22's lever "the binary protocol for the dump's SELECTs", measured without
   dumpcore: read every row of one query through the text protocol (mysql_use_result +
   mysql_fetch_row, what dumpcore's encoder reads) or the binary protocol (a prepared
   statement, unbuffered mysql_stmt_fetch into buffers bound to each column's own type),
   and do nothing with the values but add up their lengths. bench/protocol_probe.py builds
   it and times both against one server: what each protocol costs the server and the
   client's library, before any encoding.

   protocol_probe text|binary SERVER USER DATABASE QUERY
   SERVER: a socket's path (from /), else HOST:PORT. The password, if any, from MYSQL_PWD. */
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUFFER 65536 /* per column; longer values are counted as truncated, not read */

static int fail(const char* what, const char* why) {
    fprintf(stderr, "protocol_probe: %s: %s\n", what, why);
    return 1;
}

int main(int argc, char** argv) {
    if (argc != 6) return fail("usage", "text|binary SERVER USER DATABASE QUERY");
    const char* mode = argv[1];
    const char* query = argv[5];
    char host[256] = "";
    const char* socket = NULL;
    unsigned port = 0;
    if (argv[2][0] == '/') {
        socket = argv[2];
    } else {
        const char* colon = strrchr(argv[2], ':');
        if (!colon || colon == argv[2] || (size_t)(colon - argv[2]) >= sizeof host) return fail("server", "a socket's path or HOST:PORT");
        memcpy(host, argv[2], colon - argv[2]);
        port = (unsigned)atoi(colon + 1);
    }
    MYSQL* m = mysql_init(NULL);
    if (!mysql_real_connect(m, socket ? NULL : host, argv[3], getenv("MYSQL_PWD"), argv[4], port, socket, 0))
        return fail("connect", mysql_error(m));
    mysql_set_character_set(m, "utf8mb4");
    unsigned long long rows = 0, bytes = 0;
    if (!strcmp(mode, "text")) {
        if (mysql_real_query(m, query, strlen(query))) return fail("query", mysql_error(m));
        MYSQL_RES* r = mysql_use_result(m);
        unsigned n = mysql_num_fields(r);
        MYSQL_ROW row;
        while ((row = mysql_fetch_row(r))) {
            unsigned long* lengths = mysql_fetch_lengths(r);
            for (unsigned i = 0; i < n; i++) bytes += lengths[i];
            rows++;
        }
        if (mysql_errno(m)) return fail("fetch", mysql_error(m));
        mysql_free_result(r);
    } else if (!strcmp(mode, "binary")) {
        MYSQL_STMT* s = mysql_stmt_init(m);
        if (mysql_stmt_prepare(s, query, strlen(query)) || mysql_stmt_execute(s)) return fail("query", mysql_stmt_error(s));
        MYSQL_RES* meta = mysql_stmt_result_metadata(s);
        unsigned n = mysql_num_fields(meta);
        MYSQL_FIELD* fields = mysql_fetch_fields(meta);
        MYSQL_BIND* bind = calloc(n, sizeof(MYSQL_BIND));
        unsigned long* lengths = calloc(n, sizeof(unsigned long));
        my_bool* nulls = calloc(n, sizeof(my_bool));
        for (unsigned i = 0; i < n; i++) {
            bind[i].buffer_type = fields[i].type;
            bind[i].buffer = malloc(BUFFER);
            bind[i].buffer_length = BUFFER;
            bind[i].length = &lengths[i];
            bind[i].is_null = &nulls[i];
        }
        if (mysql_stmt_bind_result(s, bind)) return fail("bind", mysql_stmt_error(s));
        int rc;
        while ((rc = mysql_stmt_fetch(s)) == 0 || rc == MYSQL_DATA_TRUNCATED) {
            for (unsigned i = 0; i < n; i++)
                if (!nulls[i]) bytes += lengths[i]; /* a NULL's length is left as it was */
            rows++;
        }
        if (rc != MYSQL_NO_DATA) return fail("fetch", mysql_stmt_error(s));
        mysql_free_result(meta);
        mysql_stmt_close(s);
    } else {
        return fail("mode", "text or binary");
    }
    printf("%llu rows %llu bytes\n", rows, bytes);
    mysql_close(m);
    return 0;
}
