# Reads every audit file under a directory (names matching argv[2], a regex;
# default audit.log and its moved-away copies) with Python's msgpack, the seed's
# reader, and prints one JSON document: per file its size, how many bytes the
# Unpacker consumed, entries and the first error; and every entry's test.id.
# A file is readable only if the Unpacker consumes it to the last byte.
import json, os, re, sys
import msgpack

root = sys.argv[1]
names = re.compile(sys.argv[2] if len(sys.argv) > 2 else r'audit\.log(\.\d+|\.deleted)?')
files, ids = [], []
for d, _, fs in os.walk(root):
    for f in sorted(fs):
        if not names.fullmatch(f):
            continue
        p = os.path.join(d, f)
        size = os.path.getsize(p)
        rec = {"path": p, "size": size, "consumed": 0, "entries": 0, "error": None}
        with open(p, "rb") as fh:
            u = msgpack.Unpacker(fh, raw=False, strict_map_key=False)
            try:
                for e in u:
                    if not isinstance(e, dict) or not {"action", "session", "timestamp", "data"} <= set(e):
                        rec["error"] = "entry %d is not an audit entry: %r" % (rec["entries"], e)
                        break
                    rec["entries"] += 1
                    ids.append(e["data"].get("test.id") or "")
                    rec["consumed"] = u.tell()
            except Exception as ex:  # corrupt bytes: ExtraData, FormatError, ValueError...
                rec["error"] = "%s at byte %d: %s" % (type(ex).__name__, rec["consumed"], ex)
        if rec["error"] is None and rec["consumed"] != size:
            rec["error"] = "%d trailing bytes after entry %d (byte %d)" % (size - rec["consumed"], rec["entries"], rec["consumed"])
        files.append(rec)
json.dump({"files": files, "ids": ids}, sys.stdout)
