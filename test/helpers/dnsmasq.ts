import {spawn} from 'node:child_process';
import {createSocket} from 'node:dgram';
import {chmodSync, mkdirSync, readFileSync, readdirSync, writeFileSync} from 'node:fs';
import {Resolver} from 'node:dns/promises';
import path from 'node:path';
import {port} from './cli.js';
import {onCleanup, tempDir, waitFor} from './env.js';

/** A UDP port on 127.0.0.1 that nothing uses right now. */
export function freeUdpPort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const socket = createSocket('udp4');
		socket.once('error', reject);
		socket.bind(0, '127.0.0.1', () => {
			const {port} = socket.address();
			socket.close(() => resolve(port));
		});
	});
}

/** Asks the DNS server at 127.0.0.1:<port> for the A records of `name` ([] when none). */
export async function resolveVia(port: number, name: string): Promise<string[]> {
	const resolver = new Resolver({timeout: 1000, tries: 1});
	resolver.setServers([`127.0.0.1:${port}`]);
	return resolver.resolve4(name).catch(() => []);
}

/** A real Debian dnsmasq answering *.<domain> with 127.0.0.1 on a high loopback port; stopped at cleanup. */
export async function startDnsmasq(domain: string): Promise<{port: number; pid: number}> {
	const port = await freeUdpPort();
	const dir = tempDir('port-dnsmasq-');
	const conf = path.join(dir, 'dnsmasq.conf');
	writeFileSync(conf, `listen-address=127.0.0.1\nport=${port}\nbind-interfaces\nno-resolv\nno-hosts\npid-file=\naddress=/${domain}/127.0.0.1\n`);
	const child = spawn('/usr/sbin/dnsmasq', ['--keep-in-foreground', `--conf-file=${conf}`], {stdio: 'ignore'});
	onCleanup(() => child.kill('SIGKILL'));
	await waitFor(async () => (await resolveVia(port, `probe.${domain}`)).length > 0, {what: 'dnsmasq answering'});
	return {port, pid: child.pid!};
}

/**
 * A fake system tool `name` in its own temp dir: a node script that logs each call's arguments (a
 * JSON line in `log`) and then runs `body` (which sees fs, path, args and the tool's `dir`).
 */
function fakeTool(name: string, body: (dir: string) => string): {dir: string; bin: string; log: string} {
	const dir = tempDir(`port-fake-${name}-`);
	const bin = path.join(dir, 'bin');
	mkdirSync(bin);
	const log = path.join(dir, 'calls.log');
	const script = `#!/usr/bin/env node
const fs = require('fs'), path = require('path');
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify(args) + '\\n');
${body(dir)}`;
	writeFileSync(path.join(bin, name), script);
	chmodSync(path.join(bin, name), 0o755);
	return {dir, bin, log};
}

/**
 * A fake `systemctl` for a temp system root: every call is logged; `enable --now <unit>` (when
 * not running) and `restart <unit>` (re)start the unit's ExecStart (read from <root>/etc/systemd/system/<unit>)
 * as a real process, stopping the one it started before, and `disable --now <unit>` stops it,
 * so the dnsmasq that port install configures really runs. Never reaches the real systemd.
 */
export function fakeSystemctl(root: string): {bin: string; log: string; pidFile: (unit: string) => string} {
	const {dir, bin, log} = fakeTool('systemctl', dir => `const {spawn} = require('child_process');
const unit = args[args.length - 1];
const unitFile = path.join(${JSON.stringify(root)}, 'etc/systemd/system', unit);
const pidFile = path.join(${JSON.stringify(dir)}, unit + '.pid');
const signal = sig => { try { process.kill(Number(fs.readFileSync(pidFile, 'utf8')), sig); return true; } catch { return false; } };
const stop = () => signal('SIGTERM');
const start = () => {
  if (!fs.existsSync(unitFile)) return;
  const [file, ...rest] = /^ExecStart=(.*)$/m.exec(fs.readFileSync(unitFile, 'utf8'))[1].split(' ');
  const child = spawn(file, rest, {detached: true, stdio: 'ignore'});
  fs.writeFileSync(pidFile, String(child.pid));
  child.unref();
};
// Like systemd: enable --now starts a unit that is not running, and leaves a running one alone.
if (args[0] === 'enable' && args[1] === '--now' && !signal(0)) start();
if (args[0] === 'restart') { stop(); start(); }
if (args[0] === 'disable' && args[1] === '--now') stop();
`);
	onCleanup(() => {
		for (const file of readdirSync(dir).filter(f => f.endsWith('.pid'))) {
			try {
				process.kill(Number(readFileSync(path.join(dir, file), 'utf8')), 'SIGKILL');
			} catch {
				// already stopped
			}
		}
	});
	return {bin, log, pidFile: unit => path.join(dir, `${unit}.pid`)};
}

/**
 * A fake `launchctl` that keeps launchd's rule: `bootstrap system <plist>` fails (exit 5) while
 * that label is loaded, `bootout system/<label>` fails (exit 3) while it is not. Every call is logged.
 */
export function fakeLaunchctl(): {bin: string; log: string} {
	const {bin, log} = fakeTool('launchctl', dir => `const label = args[0] === 'bootstrap' ? path.basename(args[2], '.plist') : String(args[1]).replace(/^system\\//, '');
const loaded = path.join(${JSON.stringify(dir)}, label + '.loaded');
if (args[0] === 'bootstrap') {
  if (fs.existsSync(loaded)) { process.stderr.write('Bootstrap failed: 5: Input/output error\\n'); process.exit(5); }
  fs.writeFileSync(loaded, '');
}
if (args[0] === 'bootout') {
  if (!fs.existsSync(loaded)) { process.stderr.write('Boot-out failed: 3: No such process\\n'); process.exit(3); }
  fs.rmSync(loaded);
}
`);
	return {bin, log};
}

/**
 * `port install --mode hosts` done for real into a temp system root (no elevation): the hosts file
 * it manages, the environment that points port at that root, and the PORT_HOME it used.
 */
export async function hostsModeInstall(): Promise<{hosts: string; extra: Record<string, string>; portHome: string}> {
	const root = tempDir('port-sysroot-');
	mkdirSync(path.join(root, 'etc'));
	const hosts = path.join(root, 'etc', 'hosts');
	writeFileSync(hosts, '127.0.0.1 localhost\n');
	const extra = {PORT_SYSTEM_ROOT: root, PORT_HOSTS_FILE: hosts, PORT_RESOLVER: 'hosts', PORT_ELEVATE: ''};
	const portHome = tempDir('port-home-');
	const installed = await port(['install', '--mode', 'hosts'], root, {portHome, extra});
	if (installed.code !== 0) throw new Error(`port install --mode hosts failed (${installed.code}): ${installed.stderr}`);
	return {hosts, extra, portHome};
}
