"""Runs SQL steps in an embedded current ClickHouse engine (chdb) for the tests that check Tidemark's SQL on a current engine (CurrentClickHouseEngine).

Input on stdin, one JSON object: {"steps": ["<sql>", ...]}. Every step runs in one chdb session
(data folder given as the first argument), in order, even after a failure, so the test sees every
failing statement at once. Output on stdout, one JSON object:
{"engine": "<version>", "results": [{"ok": true, "output": "<TabSeparated>"} | {"ok": false, "error": "..."}]}
"""
import json
import sys

from chdb import session as chdb_session


def main():
    request = json.load(sys.stdin)
    sess = chdb_session.Session(sys.argv[1])
    try:
        engine = str(sess.query("SELECT version()", "TabSeparated")).strip()
        results = []
        for sql in request["steps"]:
            try:
                out = sess.query(sql, "TabSeparated")
                results.append({"ok": True, "output": str(out)})
            except Exception as e:  # chdb raises its own error type; report any failure as text
                results.append({"ok": False, "error": str(e)})
        json.dump({"engine": engine, "results": results}, sys.stdout)
    finally:
        sess.close()


if __name__ == "__main__":
    main()
