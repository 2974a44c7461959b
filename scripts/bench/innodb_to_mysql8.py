# Turns a MariaDB DYNAMIC file-per-table .ibd (16 KiB pages, no instant ALTER) into the
# MySQL 8 layout: MySQL's flags, an SDI page appended, its root named on page 0.
# Usage: innodb_to_mysql8.py IN.ibd OUT.ibd COLUMNS_JSON (docs/BENCHMARKS.md, "MySQL 8 table files").
# Page checksums are not rewritten: kizuki does not check them.
import struct, sys, zlib, json
src, dst = sys.argv[1], sys.argv[2]
cols = json.loads(sys.argv[3])  # [[name, ddtype, nullable, char_length, collation]]
d = bytearray(open(src, 'rb').read())
ps = 16384
n = len(d) // ps
index_id = struct.unpack('>Q', d[3*ps+38+28:3*ps+38+36])[0]
space = struct.unpack('>I', d[34:38])[0]
columns = []
for i, (name, ty, nullable, length, coll) in enumerate(cols):
    columns.append({"name": name, "type": ty, "is_nullable": nullable, "is_unsigned": False, "is_virtual": False,
                    "hidden": 1, "char_length": length, "numeric_precision": 0, "numeric_scale": 0,
                    "datetime_precision": 0, "collation_id": coll, "elements": [], "se_private_data": "table_id=1;"})
columns.append({"name": "DB_TRX_ID", "type": 10, "is_nullable": False, "hidden": 2, "char_length": 6, "collation_id": 63, "se_private_data": ""})
columns.append({"name": "DB_ROLL_PTR", "type": 9, "is_nullable": False, "hidden": 2, "char_length": 7, "collation_id": 63, "se_private_data": ""})
k = len(cols)
elements = [{"column_opx": 0, "hidden": False}, {"column_opx": k, "hidden": True}, {"column_opx": k+1, "hidden": True}]
elements += [{"column_opx": i, "hidden": True} for i in range(1, k)]
doc = {"mysqld_version_id": 80037, "dd_object_type": "Table", "dd_object": {
    "name": "persons", "schema_ref": "shop", "row_format": 2, "se_private_data": "",
    "columns": columns,
    "indexes": [{"name": "PRIMARY", "hidden": False, "elements": elements,
                 "se_private_data": "id=%d;root=3;space_id=%d;table_id=1;" % (index_id, space)}]}}
z = zlib.compress(json.dumps(doc).encode())
p = bytearray(ps)
struct.pack_into('>I', p, 4, n)
struct.pack_into('>I', p, 8, 0xFFFFFFFF); struct.pack_into('>I', p, 12, 0xFFFFFFFF)
struct.pack_into('>H', p, 24, 17853)
struct.pack_into('>I', p, 34, space)
struct.pack_into('>H', p, 38+4, 0x8003)
struct.pack_into('>Q', p, 38+28, 0xFFFFFFFFFFFFFFFF)
p[99-3] = 2; p[112-3] = 3
p[99:107] = b'infimum\0'; p[112:120] = b'supremum'
body = struct.pack('>IQ', 1, 1) + bytes(13) + struct.pack('>II', 0, len(z)) + z
before = bytes([len(z) & 0xFF, 0x80 | (len(z) >> 8)])
at = 120
o = at + len(before) + 5
p[at:at+len(before)] = before
p[o:o+len(body)] = body
struct.pack_into('>H', p, 99-2, (o - 99) & 0xFFFF)
struct.pack_into('>H', p, o-2, (112 - o) & 0xFFFF)
struct.pack_into('>I', d, 38+16, 0x4021)
struct.pack_into('>II', d, 10505, 1, n)
open(dst, 'wb').write(bytes(d) + bytes(p))
print('pages', n, 'index', index_id, 'space', space, 'sdi', len(z))
