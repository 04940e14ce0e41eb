import {execFileSync, spawn} from 'node:child_process';
import {chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {cliEnv, port, type CliEnv} from './helpers/cli.js';
import {fakeLaunchctl, freeUdpPort, fakeSystemctl, resolveVia, startDnsmasq} from './helpers/dnsmasq.js';
import {cliPath, makeRepo, onCleanup, pathWith, runCleanups, tempDir, waitFor} from './helpers/env.js';
import {isProcessAlive} from './helpers/cli.js';

afterEach(() => runCleanups());

/** Every file (with its bytes) and directory under `root`: what "byte-identical" compares. */
function snapshot(root: string): Record<string, string> {
	const out: Record<string, string> = {};
	const walk = (dir: string) => {
		for (const name of readdirSync(dir)) {
			const full = path.join(dir, name);
			const rel = path.relative(root, full);
			if (statSync(full).isDirectory()) {
				out[`${rel}/`] = '';
				walk(full);
			} else out[rel] = readFileSync(full, 'latin1');
		}
	};
	walk(root);
	return out;
}

describe('port install / uninstall: hosts-file mode', () => {
	function setup() {
		const root = tempDir('port-sysroot-');
		mkdirSync(path.join(root, 'etc'));
		const hosts = path.join(root, 'etc', 'hosts');
		// No final newline: uninstall must not leave one behind.
		writeFileSync(hosts, '127.0.0.1\tlocalhost\n# a comment\n::1 localhost ip6-localhost');
		const env: CliEnv = {
			portHome: tempDir('port-home-'),
			extra: {PORT_SYSTEM_ROOT: root, PORT_HOSTS_FILE: hosts, PORT_RESOLVER: 'hosts', PORT_ELEVATE: 'env', PORT_DNSMASQ_PORT: '1'},
		};
		return {root, hosts, env};
	}

	it('adds a marked block that resolves, keeps it in sync with enter/remove, and uninstall restores the bytes', async () => {
		const {root, hosts, env} = setup();
		const before = snapshot(root);
		const original = readFileSync(hosts);

		const dry = await port(['install', '--mode', 'hosts', '--dry-run'], root, env);
		expect(dry.code).toBe(0);
		expect(dry.stdout).toContain(`write ${hosts}`);
		expect(dry.stdout).toContain('127.0.0.1 port-check.port');
		expect(snapshot(root)).toEqual(before);
		expect(existsSync(path.join(env.portHome, 'dns'))).toBe(false);

		const installed = await port(['install', '--mode', 'hosts', '--yes'], root, env);
		expect(installed.stderr).toBe('');
		expect(installed.code).toBe(0);
		expect(installed.stdout).toContain('port-check.port resolves to 127.0.0.1');
		const text = readFileSync(hosts, 'utf8');
		expect(text.startsWith(original.toString())).toBe(true);
		expect(text).toMatch(/# >>> port: managed block[^\n]*\n127\.0\.0\.1 port-check\.port\n# <<< port: managed block <<<\n$/);

		// enter adds the worktree's name, remove takes it out again.
		const repo = makeRepo('app');
		expect((await port(['init'], repo, env)).code).toBe(0);
		expect((await port(['enter', 'feat/login'], repo, env)).code).toBe(0);
		expect(readFileSync(hosts, 'utf8')).toContain('127.0.0.1 feat-login.port\n');
		const again = await port(['install', '--mode', 'hosts', '--yes'], root, env);
		expect(again.code).toBe(0);
		expect(readFileSync(hosts, 'utf8').match(/managed block/g)).toHaveLength(2);
		expect((await port(['remove', 'feat/login', '--keep-branch'], repo, env)).code).toBe(0);
		expect(readFileSync(hosts, 'utf8')).not.toContain('feat-login.port');

		const other = await port(['install', '--mode', 'hosts', '--domain', 'test', '--yes'], root, env);
		expect(other.code).toBe(4);
		expect(other.stderr).toContain('port: Already installed for *.port (hosts mode).');

		const removed = await port(['uninstall'], root, env);
		expect(removed.code).toBe(0);
		expect(readFileSync(hosts).equals(original)).toBe(true);
		expect(snapshot(root)).toEqual(before);
		expect((await port(['uninstall'], root, env)).stdout).toContain('nothing to uninstall');
	});

	it('refuses to run the elevate command without a terminal or --yes, and changes nothing', async () => {
		const {root, hosts, env} = setup();
		const before = snapshot(root);
		// A hosts file this user may not write: as root, run port as nobody; otherwise make it read-only.
		chmodSync(root, 0o755);
		chmodSync(path.join(root, 'etc'), 0o755);
		chmodSync(hosts, 0o644);
		const asRoot = process.getuid?.() === 0;
		if (!asRoot) chmodSync(path.join(root, 'etc'), 0o555);
		onCleanup(() => chmodSync(path.join(root, 'etc'), 0o755));
		const argv = [...(asRoot ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : []), process.execPath, cliPath, 'install', '--mode', 'hosts'];
		const child = spawn(argv[0]!, argv.slice(1), {cwd: root, env: cliEnv({...env, extra: {...env.extra, PORT_ELEVATE: 'sudo'}}), stdio: ['ignore', 'pipe', 'pipe']});
		let stderr = '';
		child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
		const code = await new Promise(resolve => child.once('close', resolve));
		expect(stderr).toBe(`port: port install needs sudo (write ${hosts}).\nRun it in a terminal to be asked, or add --yes.\n`);
		expect(code).toBe(1);
		expect(snapshot(root)).toEqual(before);
	});
});

describe('port install / uninstall: dnsmasq mode (systemd-resolved) with a real dnsmasq', () => {
	it('writes the unit, the dnsmasq config and the resolved drop-in; a random name resolves; a re-install with another port restarts it; uninstall restores every byte', async () => {
		const root = tempDir('port-sysroot-');
		mkdirSync(path.join(root, 'etc', 'systemd', 'system'), {recursive: true});
		mkdirSync(path.join(root, 'run', 'systemd', 'resolve'), {recursive: true});
		writeFileSync(path.join(root, 'run', 'systemd', 'resolve', 'stub-resolv.conf'), 'nameserver 127.0.0.53\n');
		writeFileSync(path.join(root, 'etc', 'systemd', 'system', 'other.service'), '[Unit]\nDescription=not ours\n');
		writeFileSync(path.join(root, 'etc', 'hosts'), '127.0.0.1 localhost\n');
		const systemctl = fakeSystemctl(root);
		const dnsPort = await freeUdpPort();
		const env: CliEnv = {
			portHome: tempDir('port-home-'),
			extra: {
				PATH: `${systemctl.bin}${path.delimiter}${pathWith()}`,
				PORT_SYSTEM_ROOT: root,
				PORT_RESOLVER: `127.0.0.1:${dnsPort}`,
				PORT_DNSMASQ_PORT: String(dnsPort),
				PORT_ELEVATE: 'env',
			},
		};
		const before = snapshot(root);

		const dry = await port(['install', '--dry-run', '--domain', 'test'], root, env);
		expect(dry.code).toBe(0);
		expect(dry.stdout).toContain('resolved mode (systemd-resolved is the system resolver)');
		expect(dry.stdout).toContain(`write ${path.join(root, 'etc/systemd/resolved.conf.d/port-test.conf')}`);
		expect(dry.stdout).toContain('run   env systemctl restart port-dnsmasq-test.service'.replace('env ', process.getuid?.() === 0 ? '' : 'env '));
		expect(snapshot(root)).toEqual(before);
		expect(existsSync(systemctl.log)).toBe(false);

		const installed = await port(['install', '--domain', 'test', '--yes'], root, env);
		expect(installed.stderr).toBe('');
		expect(installed.code).toBe(0);
		expect(installed.stdout).toMatch(/port: port-check-[0-9a-f]{8}\.test resolves to 127\.0\.0\.1/);
		expect(readFileSync(path.join(root, 'etc/systemd/resolved.conf.d/port-test.conf'), 'utf8')).toContain(`DNS=127.0.0.1:${dnsPort}\nDomains=~test\n`);
		const random = `r${Math.random().toString(36).slice(2, 10)}.test`;
		expect(await resolveVia(dnsPort, random)).toEqual(['127.0.0.1']);
		const pid = Number(readFileSync(systemctl.pidFile('port-dnsmasq-test.service'), 'utf8'));
		expect(isProcessAlive(pid)).toBe(true);

		// Running install again with another port refreshes it: the running dnsmasq is restarted on the new port.
		const newPort = await freeUdpPort();
		const moved: CliEnv = {...env, extra: {...env.extra, PORT_RESOLVER: `127.0.0.1:${newPort}`, PORT_DNSMASQ_PORT: String(newPort)}};
		const again = await port(['install', '--domain', 'test', '--yes'], root, moved);
		expect(again.stderr).toBe('');
		expect(again.code).toBe(0);
		expect(await resolveVia(newPort, random)).toEqual(['127.0.0.1']);
		await waitFor(() => !isProcessAlive(pid), {what: 'the old dnsmasq stopped'});
		expect(await resolveVia(dnsPort, random)).toEqual([]);
		expect(readFileSync(path.join(root, 'etc/systemd/resolved.conf.d/port-test.conf'), 'utf8')).toContain(`DNS=127.0.0.1:${newPort}\n`);
		const newPid = Number(readFileSync(systemctl.pidFile('port-dnsmasq-test.service'), 'utf8'));

		const removed = await port(['uninstall', '--yes'], root, moved);
		expect(removed.code).toBe(0);
		const calls = readFileSync(systemctl.log, 'utf8').trim().split('\n').map(l => JSON.parse(l) as string[]);
		const install = [['daemon-reload'], ['enable', 'port-dnsmasq-test.service'], ['restart', 'port-dnsmasq-test.service'], ['restart', 'systemd-resolved']];
		expect(calls).toEqual([...install, ...install, ['disable', '--now', 'port-dnsmasq-test.service'], ['daemon-reload'], ['restart', 'systemd-resolved']]);
		await waitFor(() => !isProcessAlive(newPid), {what: 'dnsmasq stopped'});
		expect(await resolveVia(newPort, random)).toEqual([]);
		expect(snapshot(root)).toEqual(before);
		expect(existsSync(path.join(env.portHome, 'dns', 'install.json'))).toBe(false);
	});
});

describe('port install on macOS (resolver mode) with a fake launchctl', () => {
	it('can run again (bootout, then bootstrap), and uninstall boots the daemon out and restores every byte', async () => {
		const root = tempDir('port-sysroot-');
		const brew = tempDir('port-brew-');
		mkdirSync(path.join(brew, 'sbin'));
		writeFileSync(path.join(brew, 'sbin', 'dnsmasq'), '', {mode: 0o755});
		const launchctl = fakeLaunchctl();
		// The check resolves through a real dnsmasq for *.test (launchd itself is fake here).
		const dns = await startDnsmasq('test');
		const env: CliEnv = {
			portHome: tempDir('port-home-'),
			extra: {PATH: `${launchctl.bin}${path.delimiter}${pathWith()}`, PORT_SYSTEM_ROOT: root, PORT_PLATFORM: 'darwin', PORT_BREW_PREFIX: brew, PORT_RESOLVER: `127.0.0.1:${dns.port}`, PORT_ELEVATE: 'env'},
		};
		const before = snapshot(root);
		const plist = path.join(root, 'Library/LaunchDaemons/dev.port.dnsmasq-test.plist');
		for (const run of ['first', 'second']) {
			const installed = await port(['install', '--domain', 'test', '--yes'], root, env);
			expect(installed.stderr, run).toBe('');
			expect(installed.code, run).toBe(0);
		}
		expect(readFileSync(path.join(root, 'etc/resolver/test'), 'utf8')).toContain('nameserver 127.0.0.1\n');
		expect((await port(['uninstall', '--yes'], root, env)).code).toBe(0);
		const calls = readFileSync(launchctl.log, 'utf8').trim().split('\n').map(l => JSON.parse(l) as string[]);
		const install = [['bootout', 'system/dev.port.dnsmasq-test'], ['bootstrap', 'system', plist]];
		expect(calls).toEqual([...install, ...install, ['bootout', 'system/dev.port.dnsmasq-test']]);
		expect(snapshot(root)).toEqual(before);
		expect(existsSync(path.join(env.portHome, 'dns', 'install.json'))).toBe(false);
	});
});

describe('port install --shell-hook', () => {
	it('adds the shell hook and completion to the rc file of $SHELL, and uninstall restores it byte for byte', async () => {
		const root = tempDir('port-sysroot-');
		mkdirSync(path.join(root, 'etc'));
		writeFileSync(path.join(root, 'etc', 'hosts'), '127.0.0.1 localhost\n');
		const home = tempDir('port-home-dir-');
		const bashrc = path.join(home, '.bashrc');
		writeFileSync(bashrc, 'alias ll="ls -l"');
		const bin = path.join(tempDir('port-bin-'), 'bin');
		mkdirSync(bin);
		writeFileSync(path.join(bin, 'port'), `#!/bin/sh\nexec "${process.execPath}" "${cliPath}" "$@"\n`, {mode: 0o755});
		const extra = {HOME: home, SHELL: '/bin/bash', PORT_SYSTEM_ROOT: root, PORT_RESOLVER: 'hosts', PORT_ELEVATE: '', PATH: `${bin}${path.delimiter}${pathWith()}`};
		const env: CliEnv = {portHome: tempDir('port-home-'), extra};
		const before = snapshot(home);

		const installed = await port(['install', '--mode', 'hosts', '--shell-hook'], root, env);
		expect(installed.code).toBe(0);
		expect(installed.stdout).toContain(`shell hook in ${bashrc}`);
		expect(readFileSync(bashrc, 'utf8')).toBe(`alias ll="ls -l"\n# >>> port shell hook (port install --shell-hook; port uninstall removes it) >>>\neval "$(port shell-hook bash)"\nsource <(port completion bash)\n# <<< port shell hook <<<\n`);
		const loaded = execFileSync('bash', ['--norc', '-c', `source ${bashrc}; type -t port; complete -p port`], {env: cliEnv(env), encoding: 'utf8'});
		expect(loaded).toBe('function\ncomplete -F _port_complete port\n');

		expect((await port(['uninstall'], root, env)).code).toBe(0);
		expect(snapshot(home)).toEqual(before);
	});

	it('creates a missing fish config (and its directories), and uninstall removes them again', async () => {
		const home = tempDir('port-home-dir-');
		const env: CliEnv = {portHome: tempDir('port-home-'), extra: {HOME: home, SHELL: '/usr/bin/fish', PORT_ELEVATE: ''}};
		const installed = await port(['install', '--domain', 'localhost', '--shell-hook'], home, env);
		expect(installed.code).toBe(0);
		expect(readFileSync(path.join(home, '.config', 'fish', 'config.fish'), 'utf8')).toContain('\nport shell-hook fish | source\nport completion fish | source\n');
		expect((await port(['uninstall'], home, env)).code).toBe(0);
		expect(readdirSync(home)).toEqual([]);
	});
});

describe('port install --dry-run: the plan per platform', () => {
	it('macOS with Homebrew dnsmasq: /etc/resolver/<domain>, a launchd dnsmasq; NetworkManager: dns=dnsmasq; nothing written', async () => {
		const root = tempDir('port-sysroot-');
		const brew = tempDir('port-brew-');
		mkdirSync(path.join(brew, 'sbin'));
		writeFileSync(path.join(brew, 'sbin', 'dnsmasq'), '', {mode: 0o755});
		const env: CliEnv = {portHome: tempDir('port-home-'), extra: {PORT_SYSTEM_ROOT: root, PORT_PLATFORM: 'darwin', PORT_BREW_PREFIX: brew, PORT_ELEVATE: 'sudo'}};
		const before = snapshot(root);
		const mac = await port(['install', '--dry-run', '--domain', 'dev.test'], root, env);
		expect(mac.code).toBe(0);
		expect(mac.stdout).toContain('*.dev.test -> 127.0.0.1, resolver mode (macOS with Homebrew dnsmasq');
		expect(mac.stdout).toContain(`write ${path.join(root, 'etc/resolver/dev.test')}\n      | # Written by port install; removed by port uninstall.\n      | nameserver 127.0.0.1\n      | port 53535\n`);
		expect(mac.stdout).toContain(`      |     <string>${path.join(brew, 'sbin', 'dnsmasq')}</string>\n`);
		expect(mac.stdout).toMatch(/run {3}(sudo )?launchctl bootstrap system \S+dev\.port\.dnsmasq-dev\.test\.plist\n/);

		mkdirSync(path.join(root, 'etc', 'NetworkManager'), {recursive: true});
		writeFileSync(path.join(root, 'etc', 'NetworkManager', 'NetworkManager.conf'), '[main]\n');
		const bin = path.join(tempDir('port-bin-'), 'bin');
		mkdirSync(bin);
		writeFileSync(path.join(bin, 'nmcli'), '#!/bin/sh\nexit 0\n', {mode: 0o755});
		const nmBefore = snapshot(root);
		const nm = await port(['install', '--dry-run'], root, {...env, extra: {...env.extra, PORT_PLATFORM: 'linux', PATH: `${bin}${path.delimiter}${pathWith()}`}});
		expect(nm.code).toBe(0);
		expect(nm.stdout).toContain('networkmanager mode (NetworkManager manages DNS)');
		expect(nm.stdout).toContain(`write ${path.join(root, 'etc/NetworkManager/conf.d/port.conf')}\n      | # Written by port install; removed by port uninstall.\n      | [main]\n      | dns=dnsmasq\n`);
		expect(nm.stdout).toContain('      | address=/port/127.0.0.1\n');
		expect(snapshot(root)).toEqual(nmBefore);
		expect(Object.keys(before)).toEqual([]);
		expect(existsSync(path.join(env.portHome, 'dns'))).toBe(false);
	});

	it('rejects an unknown mode or an invalid domain with exit 2', async () => {
		const env: CliEnv = {portHome: tempDir('port-home-')};
		const mode = await port(['install', '--mode', 'magic', '--dry-run'], tempDir(), env);
		expect(mode.code).toBe(2);
		expect(mode.stderr.split('\n')[0]).toBe('port: Unknown mode "magic" (known: resolver, resolved, networkmanager, hosts).');
		const domain = await port(['install', '--domain', 'Bad_Domain', '--dry-run'], tempDir(), env);
		expect(domain.code).toBe(2);
		expect(domain.stderr.split('\n')[0]).toMatch(/^port: Domain "Bad_Domain" is invalid: /);
	});
});
