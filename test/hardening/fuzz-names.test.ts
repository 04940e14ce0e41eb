// Branch-name fuzzing: 1,000 generated names (unicode, ../, backticks, quotes, {{ }}, newlines,
// very long, only symbols). Every derived hostname is a valid DNS label, every route file stays
// inside the dynamic directory and validates against the Traefik file-provider schema, and two
// names that sanitise to one label never collide silently (`port enter` refuses the second).
import {existsSync, readFileSync, readdirSync} from 'node:fs';
import path from 'node:path';
import {Ajv} from 'ajv';
import {parse} from 'yaml';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {hostRouteName, hostnameFor, isDnsLabel, sanitizeName} from '../../source/core/names.js';
import {hostRouteConfig, writeRoute} from '../../source/core/traefik/routes.js';
import {port} from '../helpers/cli.js';
import {fakeDocker, git, makeRepo, runCleanups, schemasDir, tempDir} from '../helpers/env.js';
import {prng} from '../helpers/prng.js';

const pieces = [
	'feature', 'Feature', 'FIX', 'login', 'ü', 'é', 'ñ', 'ß', 'İ', 'ﬁ', 'ｆｕｌｌ', '日本', '한국어', 'עברית', 'العربية', '😀', '👩‍💻', '🇫🇷',
	'\u0301', '\u200b', '\u202e', '\u0000', '\t', '\n', '\r\n', ' ', '/', '../', '..', '.', '\\', '`', "'", '"', '{{', '}}', '{{ .Env.HOME }}',
	'${HOME}', '$(rm -rf /)', ';', '|', '&', '>', '<', '*', '?', '[', ']', '@', '#', '%', '~', '^', ':', ',', '=', '+', '_', '-', '--', '---',
	'0', '1', '42', 'a', 'z', 'x'.repeat(70), '-'.repeat(40), 'ab'.repeat(100),
];

function generate(count: number): string[] {
	const random = prng(20_260_505);
	const names = new Set<string>();
	// Fixed edge cases first.
	for (const name of ['', '-', '.', '..', '../..', '/', '``', '""', "''", '{{}}', '\n', ' ', '😀', 'ß', 'x'.repeat(300), '-a-', 'A', 'a', 'feat/login', 'feat-login', 'Feat_Login', 'feat//login', 'ＦＥＡＴ']) names.add(name);
	while (names.size < count) {
		const length = 1 + Math.floor(random() * (random() < 0.1 ? 40 : 6));
		let name = '';
		for (let i = 0; i < length; i++) name += pieces[Math.floor(random() * pieces.length)];
		names.add(name);
	}
	return [...names];
}

const names = generate(1000);
const validate = new Ajv({allErrors: true}).compile(JSON.parse(readFileSync(path.join(schemasDir, 'traefik-v3-file-provider.json'), 'utf8')) as object);
let home: string;

beforeAll(() => {
	home = tempDir('port-fuzz-home-');
	process.env['PORT_HOME'] = home;
});
afterAll(async () => {
	delete process.env['PORT_HOME'];
	await runCleanups();
});

describe('branch-name fuzzing', () => {
	it('generates 1,000 distinct names of every kind', () => {
		expect(names).toHaveLength(1000);
		for (const kind of [/\.\.\//, /`/, /"/, /'/, /\{\{/, /\n/, /[^\u0000-\u007f]/]) expect(names.some(n => kind.test(n)), String(kind)).toBe(true);
		expect(names.some(n => n.length > 200)).toBe(true);
		expect(names.some(n => n !== '' && !/[\p{L}\p{N}]/u.test(n))).toBe(true);
	});

	it('every derived hostname label is a valid DNS label and stable', () => {
		for (const name of names) {
			const label = sanitizeName(name);
			expect(isDnsLabel(label), JSON.stringify(name)).toBe(true);
			expect(label.length).toBeLessThanOrEqual(63);
			expect(sanitizeName(name)).toBe(label);
			expect(sanitizeName(label), 'a label sanitises to itself').toBe(label);
			expect(hostnameFor(label, 'port')).toMatch(/^[a-z0-9-]+\.port$/);
		}
	});

	it('every route file stays in the dynamic directory and validates against the schema', () => {
		const dynamic = path.join(home, 'traefik', 'dynamic');
		const repos = ['/work/app', '/srv/other repo/../x'];
		let written = 0;
		for (const [index, name] of names.entries()) {
			const label = sanitizeName(name);
			const routeName = hostRouteName(repos[index % 2]!, label, 3000 + (index % 7));
			expect(routeName).not.toMatch(/[@/\\\s{}`'"]/);
			const config = hostRouteConfig({name: routeName, hostname: hostnameFor(label, 'port'), logicalPort: 3000, actualPort: 49_152 + index});
			const file = writeRoute({name: routeName, hostname: hostnameFor(label, 'port'), logicalPort: 3000, actualPort: 49_152 + index});
			written++;
			expect(path.dirname(file)).toBe(dynamic);
			const text = readFileSync(file, 'utf8');
			// Traefik runs file contents through Go templates first: no template syntax may appear.
			expect(text).not.toMatch(/\{\{|\}\}/);
			const parsed = parse(text) as unknown;
			expect(parsed).toEqual(config);
			const ok = validate(parsed);
			expect(validate.errors ?? [], JSON.stringify(name)).toEqual([]);
			expect(ok).toBe(true);
		}
		expect(written).toBe(names.length);
		// Nothing was written anywhere else under PORT_HOME, and no temp file is left.
		expect(readdirSync(path.join(home, 'traefik'))).toEqual(['dynamic']);
		expect(readdirSync(dynamic).filter(f => !f.endsWith('.yml'))).toEqual([]);
		expect(existsSync(path.join(home, 'work'))).toBe(false);
	});

	it('collisions of the sanitiser are real, and port enter refuses the second name', async () => {
		const byLabel = new Map<string, Set<string>>();
		for (const name of names) {
			const label = sanitizeName(name);
			byLabel.set(label, (byLabel.get(label) ?? new Set()).add(name));
		}
		const collisions = [...byLabel.values()].filter(set => set.size > 1);
		// The sanitiser is lossy by design (feat/login and feat-login), so the product must refuse.
		expect(collisions.length).toBeGreaterThan(0);
		// Distinct names that hash (too long / nothing left) never collide.
		for (const set of collisions) {
			const label = sanitizeName([...set][0]!);
			expect(label.startsWith('wt-'), `hashed label ${label} shared by ${JSON.stringify([...set])}`).toBe(false);
		}

		const repo = makeRepo('app');
		const env = {portHome: tempDir('port-home-'), dockerBin: fakeDocker().bin};
		expect((await port(['init'], repo, env)).code).toBe(0);
		for (const [first, second] of [['feat/login', 'feat-login'], ['Fix_Bug', 'fix-bug'], ['release/1.0', 'release-1-0']] as const) {
			expect(sanitizeName(first)).toBe(sanitizeName(second));
			const a = await port(['enter', first], repo, env);
			expect(a.code, a.stderr).toBe(0);
			const b = await port(['enter', second], repo, env);
			expect(b.code, b.stdout + b.stderr).toBe(4);
			expect(b.stderr).toMatch(/cannot use it for branch/);
			expect(b.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
			// The first worktree still holds its own branch.
			expect(git(path.join(repo, '.port', 'trees', sanitizeName(first)), 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe(first);
		}
	}, 60_000);
});
