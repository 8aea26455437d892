// duckdb_check.mjs - DuckDB (npm @duckdb/node-api) reads the jsonl export
// of every stream with the right types and writes Parquet that reads back
// with equal counts: runs the "-- duckdb:" blocks of docs/exports.md as
// written, in the current directory (which holds out/*.jsonl), then checks.
//
// usage: node duckdb_check.mjs DOCS/exports.md COUNTS.json
//   COUNTS.json: {"exec": N, ...} records per stream of the session
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [docPath, countsPath] = process.argv.slice(2);
const doc = readFileSync(docPath, 'utf8');
const counts = JSON.parse(readFileSync(countsPath, 'utf8'));
let passed = 0, failed = 0;

function check(ok, what) {
	if (ok) {
		passed++;
	} else {
		failed++;
		console.log(`FAIL: ${what}`);
	}
}

// the SQL of a "-- duckdb: NAME" block, as statements
function block(name) {
	const m = doc.match(new RegExp('```sql\\n-- duckdb: ' + name + '\\n([\\s\\S]*?)```'));
	if (!m)
		throw new Error(`docs/exports.md has no duckdb block ${name}`);
	return m[1].split(/;\s*\n/).map(s => s.trim()).filter(s => s.length);
}

// the types the documentation gives each column: columns = {name: 'TYPE', ...}
function declared(stream) {
	const stmt = block('load').find(s => s.startsWith(`CREATE TABLE ${stream} `));
	const map = stmt.match(/columns = \{([\s\S]*)\}/)[1];
	return Object.fromEntries([...map.matchAll(/(\w+): '([A-Z\[\]]+)'/g)].map(m => [m[1], m[2]]));
}

const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
for (const s of block('load'))
	await c.run(s);
let top;
for (const s of block('parquet'))
	top = await c.runAndReadAll(s);
check(top.getRows().length === 3, 'the top-3 query answers 3 rows');

for (const stream of ['exec', 'exit', 'flow', 'proc', 'cgroup']) {
	const want = declared(stream);
	const cols = (await c.runAndReadAll(`DESCRIBE ${stream}`)).getRows();
	check(cols.length === Object.keys(want).length, `${stream}: ${cols.length} columns`);
	for (const [name, type] of cols)
		check(want[name] === type, `${stream}.${name} is ${type}, documented ${want[name]}`);
	// the documented columns are all the export writes, none left out
	const found = (await c.runAndReadAll(
		`DESCRIBE SELECT * FROM read_json('out/${stream}.jsonl')`)).getRows().map(r => r[0]);
	check(JSON.stringify(found) === JSON.stringify(Object.keys(want)),
		`${stream}: the export has columns ${found}, documented ${Object.keys(want)}`);
	const n = Number((await c.runAndReadAll(`SELECT count(*) FROM ${stream}`)).getRows()[0][0]);
	const p = Number((await c.runAndReadAll(`SELECT count(*) FROM '${stream}.parquet'`))
		.getRows()[0][0]);
	check(n === counts[stream], `${stream}: ${n} rows read, the session has ${counts[stream]}`);
	check(p === n, `${stream}: ${p} rows in Parquet, ${n} read`);
	// the same types come back from Parquet
	const pcols = (await c.runAndReadAll(`DESCRIBE SELECT * FROM '${stream}.parquet'`)).getRows();
	check(JSON.stringify(pcols.map(r => r[1])) === JSON.stringify(cols.map(r => r[1])),
		`${stream}: Parquet keeps the types`);
}

// left to guess, DuckDB still sees booleans, times and lists as such
const auto = Object.fromEntries((await c.runAndReadAll(
	"DESCRIBE SELECT * FROM read_json('out/exec.jsonl')")).getRows().map(r => [r[0], r[1]]));
check(auto.argv_truncated === 'BOOLEAN', `auto: argv_truncated is ${auto.argv_truncated}`);
check(auto.time === 'TIMESTAMP', `auto: time is ${auto.time}`);
check(auto.argv === 'VARCHAR[]', `auto: argv is ${auto.argv}`);

// values: nulls, addresses, the lossless encoding of a name that is not UTF-8
const v = (await c.runAndReadAll(
	"SELECT count(*) FILTER (WHERE src IS NULL), count(*) FILTER (WHERE owner_pid IS NOT NULL)," +
	" count(*) FILTER (WHERE src = '10.0.0.1') FROM flow")).getRows()[0].map(Number);
check(v[0] > 0 && v[1] > 0 && v[2] > 0, `flow nulls and addresses: ${v}`);
const latin = (await c.runAndReadAll(
	"SELECT count(*) FROM exec WHERE comm = 'caf\\xe9' || chr(0)")).getRows()[0].map(Number);
check(latin[0] > 0, 'the Latin-1 name arrives in the lossless encoding');

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
