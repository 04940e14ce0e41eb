import {describe, expect, it} from 'vitest';
import {injectPort} from '../source/core/supervise/inject.js';
import {prepareCommand} from '../source/core/supervise/prepare.js';
import {childEnv} from '../source/core/supervise/child-env.js';

const P = 49731;
const vite = ['--port', String(P), '--strictPort', '--host', '127.0.0.1'];
const scripts: Record<string, string> = {
	dev: 'vite',
	'dev:open': 'vite --open',
	start: 'astro dev',
	serve: 'npx vite preview',
	build: 'vite build',
	test: 'vitest',
	both: 'vite build && vite preview',
	env: 'NODE_ENV=development vite',
	crossenv: 'cross-env FOO=1 vite',
	fixed: 'vite --port 5173',
	piped: 'vite | tee log',
	ng: 'ng serve',
	expo: 'expo start',
	vite: 'echo not the bin',
};
const inject = (command: string[]) => injectPort(command, P, '/nowhere', () => scripts);

describe('injectPort: known dev servers get --port (table)', () => {
	it.each([
		// Direct, each framework.
		[['vite'], [], 'vite'],
		[['vite', 'dev'], [], 'vite'],
		[['vite', 'serve'], [], 'vite'],
		[['vite', 'preview'], [], 'vite'],
		[['vite', './app'], [], 'vite'],
		[['vite', '--mode', 'staging'], [], 'vite'],
		[['./node_modules/.bin/vite'], [], 'vite'],
		[['astro', 'dev'], ['--port', String(P), '--host', '127.0.0.1'], 'astro'],
		[['astro', 'preview'], ['--port', String(P), '--host', '127.0.0.1'], 'astro'],
		[['ng', 'serve'], ['--port', String(P), '--host', '127.0.0.1'], 'ng serve'],
		[['react-router', 'dev'], [], 'react-router'],
		[['rsbuild', 'dev'], ['--port', String(P), '--host', '127.0.0.1'], 'rsbuild'],
		[['rsbuild'], ['--port', String(P), '--host', '127.0.0.1'], 'rsbuild'],
		[['expo', 'start'], ['--port', String(P)], 'expo'],
		[['expo'], ['--port', String(P)], 'expo'],
		[['vite', 'dev', '--host', '127.0.0.1'], ['--port', String(P), '--strictPort'], 'vite'],
		[['vite', '--strictPort'], ['--port', String(P), '--host', '127.0.0.1'], 'vite'],
	] as const)('%j adds %j (empty: all of Vite\'s) for %s', (command, added, framework) => {
		const expected = added.length === 0 ? vite : added;
		const result = inject([...command]);
		expect(result?.framework).toBe(framework);
		expect(result?.added).toEqual(expected);
		expect(result?.command).toEqual([...command, ...expected]);
	});

	it.each([
		// Runners.
		[['npx', 'vite'], ['npx', 'vite', ...vite]],
		[['npx', '--yes', 'vite', 'dev'], ['npx', '--yes', 'vite', 'dev', ...vite]],
		[['npm', 'exec', 'vite'], ['npm', 'exec', 'vite', ...vite]],
		[['pnpm', 'exec', 'vite'], ['pnpm', 'exec', 'vite', ...vite]],
		[['pnpm', 'astro', 'dev'], ['pnpm', 'astro', 'dev', '--port', String(P), '--host', '127.0.0.1']],
		[['yarn', 'ng', 'serve'], ['yarn', 'ng', 'serve', '--port', String(P), '--host', '127.0.0.1']],
		[['yarn', 'exec', 'vite'], ['yarn', 'exec', 'vite', ...vite]],
		[['bunx', 'vite'], ['bunx', 'vite', ...vite]],
		[['bun', 'x', 'vite'], ['bun', 'x', 'vite', ...vite]],
		// package.json scripts: npm needs `--` before the script's arguments, the others do not.
		[['npm', 'run', 'dev'], ['npm', 'run', 'dev', '--', ...vite]],
		[['npm', 'run', 'dev:open'], ['npm', 'run', 'dev:open', '--', ...vite]],
		[['npm', 'run', 'dev', '--', '--open'], ['npm', 'run', 'dev', '--', '--open', ...vite]],
		[['npm', 'start'], ['npm', 'start', '--', '--port', String(P), '--host', '127.0.0.1']],
		[['pnpm', 'dev'], ['pnpm', 'dev', ...vite]],
		[['pnpm', 'run', 'serve'], ['pnpm', 'run', 'serve', ...vite]],
		[['yarn', 'dev'], ['yarn', 'dev', ...vite]],
		[['yarn', 'run', 'ng'], ['yarn', 'run', 'ng', '--port', String(P), '--host', '127.0.0.1']],
		[['bun', 'run', 'dev'], ['bun', 'run', 'dev', ...vite]],
		[['npm', 'run', 'expo'], ['npm', 'run', 'expo', '--', '--port', String(P)]],
	])('%j becomes %j', (command, expected) => {
		expect(inject(command)?.command).toEqual(expected);
	});

	it.each([
		[['vite', 'build']],
		[['vite', 'optimize']],
		[['vitest']],
		[['astro', 'build']],
		[['ng', 'build']],
		[['ng', 'test']],
		[['expo', 'export']],
		[['react-router', 'build']],
		[['vite', '--port', '5173']],
		[['vite', '--port=5173']],
		[['expo', 'start', '-p', '8081']],
		[['npx', 'vite', 'build']],
		[['npm', 'run', 'build']],
		[['npm', 'run', 'test']],
		[['npm', 'test']],
		[['npm', 'run', 'both']],
		[['npm', 'run', 'env']],
		[['npm', 'run', 'crossenv']],
		[['npm', 'run', 'fixed']],
		[['npm', 'run', 'piped']],
		[['npm', 'run', 'dev', '--', '--port', '4000']],
		[['npm', 'run', 'missing']],
		[['yarn', 'vite']], // a script named "vite" wins over the bin, and it is no dev server
		[['node', 'server.js']],
		[['sh', '-c', 'vite']],
		[['env', 'FOO=1', 'vite']],
		[['python3', '-m', 'http.server']],
	])('leaves %j alone', command => {
		expect(inject(command)).toBeUndefined();
	});
});

describe('prepareCommand: placeholder, --no-inject, environment', () => {
	const base = {cwd: '/nowhere', actualPort: P, logicalPort: 8000, hostname: 'feature-1.port', domain: 'port'};
	it('fills {PORT} anywhere in a word and then adds nothing', () => {
		const prepared = prepareCommand({...base, command: ['python3', '-m', 'http.server', '{PORT}', '--bind=0.0.0.0:{PORT}']});
		expect(prepared.command).toEqual(['python3', '-m', 'http.server', String(P), `--bind=0.0.0.0:${P}`]);
		expect(prepareCommand({...base, command: ['vite', '--port', '{PORT}']}).notes).toEqual([]);
	});
	it('says what it added, and adds nothing with inject: false', () => {
		expect(prepareCommand({...base, command: ['vite']}).notes).toEqual([`added --port ${P} --strictPort --host 127.0.0.1 for vite`]);
		expect(prepareCommand({...base, command: ['vite'], inject: false})).toMatchObject({command: ['vite'], notes: []});
	});
	it('builds the child environment; a declared env wins except for PORT', () => {
		expect(childEnv({...base, declared: {web: 3000, 'api-v2': 4000}, env: {HOST: '127.0.0.1', PORT: '1'}})).toEqual({
			PORT: String(P),
			HOST: '127.0.0.1',
			PORT_URL: 'http://feature-1.port:8000',
			PORT_URL_WEB: 'http://feature-1.port:3000',
			PORT_URL_API_V2: 'http://feature-1.port:4000',
			__VITE_ADDITIONAL_SERVER_ALLOWED_HOSTS: '.port',
		});
	});
});
