import {existsSync} from 'node:fs';
import path from 'node:path';
import {readTextIfExists} from '../read-text.js';
import {brewPrefix, dnsmasqPort, hostsFile, platform, systemPath} from './system.js';

/** How `*.<domain>` is made to resolve; see readme.md "DNS". */
export const dnsModes = ['resolver', 'resolved', 'networkmanager', 'hosts'] as const;
/** `none`: domain localhost, nothing to set up for DNS (an install with --shell-hook only). */
export type DnsMode = (typeof dnsModes)[number] | 'none';

export type Step =
	| {kind: 'write'; path: string; content: string}
	/** The managed block in the hosts file (hosts mode). */
	| {kind: 'hosts'; path: string}
	/** The shell hook block in the user's rc file (--shell-hook). */
	| {kind: 'rc'; path: string; block: string}
	/** A command (argument array, never a shell string) and the one that undoes it at uninstall. */
	| {kind: 'run'; argv: string[]; undo?: string[]; undoAfterFiles?: boolean; mayFail?: boolean};

export interface Plan {
	mode: DnsMode;
	domain: string;
	steps: Step[];
	/** Why this mode was chosen (printed by install). */
	why: string;
}

/** The first directory of PATH holding `name`, or undefined. */
export function which(name: string): string | undefined {
	for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
		if (dir && existsSync(path.join(dir, name))) return path.join(dir, name);
	}
	return undefined;
}


/** The best mode this machine offers, in the order of the issue: resolver, resolved, NetworkManager, hosts. */
export function detectMode(): {mode: DnsMode; why: string} {
	if (platform() === 'darwin') {
		if (existsSync(path.join(brewPrefix(), 'sbin', 'dnsmasq'))) return {mode: 'resolver', why: `macOS with Homebrew dnsmasq (${brewPrefix()})`};
		return {mode: 'hosts', why: 'macOS without Homebrew dnsmasq (brew install dnsmasq enables wildcard names)'};
	}
	const dnsmasq = which('dnsmasq');
	const resolved = existsSync(systemPath('/run/systemd/resolve/stub-resolv.conf')) || (readTextIfExists(systemPath('/etc/resolv.conf')) ?? '').includes('127.0.0.53');
	if (resolved && dnsmasq) return {mode: 'resolved', why: 'systemd-resolved is the system resolver'};
	const nm = existsSync(systemPath('/etc/NetworkManager/NetworkManager.conf')) && which('nmcli') !== undefined;
	if (nm && dnsmasq) return {mode: 'networkmanager', why: 'NetworkManager manages DNS'};
	const missing = (resolved || nm) && !dnsmasq ? ' (install dnsmasq-base for wildcard names)' : '';
	return {mode: 'hosts', why: `no systemd-resolved or NetworkManager with dnsmasq${missing}`};
}

/** dnsmasq answering 127.0.0.1 for the domain and nothing else, on 127.0.0.1:<dnsmasqPort>. */
const dnsmasqConf = (domain: string) =>
	[
		'# Written by port install; removed by port uninstall.',
		'listen-address=127.0.0.1',
		`port=${dnsmasqPort()}`,
		'bind-interfaces',
		'no-resolv',
		'no-hosts',
		'pid-file=',
		`address=/${domain}/127.0.0.1`,
		'',
	].join('\n');

export function buildPlan(mode: DnsMode, domain: string, why = 'chosen with --mode'): Plan {
	const steps: Step[] = [];
	const confFile = systemPath(`/etc/port/dnsmasq-${domain}.conf`);
	if (mode === 'none') {
		// *.localhost resolves without help
	} else if (mode === 'hosts') {
		steps.push({kind: 'hosts', path: hostsFile()});
	} else if (mode === 'resolved') {
		const unit = `port-dnsmasq-${domain}.service`;
		steps.push(
			{kind: 'write', path: confFile, content: dnsmasqConf(domain)},
			{
				kind: 'write',
				path: systemPath(`/etc/systemd/system/${unit}`),
				content: `# Written by port install; removed by port uninstall.\n[Unit]\nDescription=dnsmasq answering *.${domain} with 127.0.0.1 (port install)\nAfter=network.target\n\n[Service]\nExecStart=${which('dnsmasq') ?? '/usr/sbin/dnsmasq'} --keep-in-foreground --conf-file=${confFile}\nRestart=on-failure\n\n[Install]\nWantedBy=multi-user.target\n`,
			},
			{kind: 'write', path: systemPath(`/etc/systemd/resolved.conf.d/port-${domain}.conf`), content: `# Written by port install; removed by port uninstall.\n[Resolve]\nDNS=127.0.0.1:${dnsmasqPort()}\nDomains=~${domain}\n`},
			{kind: 'run', argv: ['systemctl', 'daemon-reload'], undo: ['systemctl', 'daemon-reload'], undoAfterFiles: true},
			{kind: 'run', argv: ['systemctl', 'enable', unit], undo: ['systemctl', 'disable', '--now', unit]},
			// restart, not `enable --now`: a second install must apply a changed config to a running unit.
			{kind: 'run', argv: ['systemctl', 'restart', unit]},
			{kind: 'run', argv: ['systemctl', 'restart', 'systemd-resolved'], undo: ['systemctl', 'restart', 'systemd-resolved'], undoAfterFiles: true},
		);
	} else if (mode === 'networkmanager') {
		steps.push(
			{kind: 'write', path: systemPath('/etc/NetworkManager/conf.d/port.conf'), content: '# Written by port install; removed by port uninstall.\n[main]\ndns=dnsmasq\n'},
			{kind: 'write', path: systemPath(`/etc/NetworkManager/dnsmasq.d/port-${domain}.conf`), content: `# Written by port install; removed by port uninstall.\naddress=/${domain}/127.0.0.1\n`},
			{kind: 'run', argv: ['systemctl', 'reload', 'NetworkManager'], undo: ['systemctl', 'reload', 'NetworkManager'], undoAfterFiles: true},
		);
	} else {
		const label = `dev.port.dnsmasq-${domain}`;
		const plist = systemPath(`/Library/LaunchDaemons/${label}.plist`);
		const args = [path.join(brewPrefix(), 'sbin', 'dnsmasq'), '--keep-in-foreground', `--conf-file=${confFile}`];
		steps.push(
			{kind: 'write', path: confFile, content: dnsmasqConf(domain)},
			{
				kind: 'write',
				path: plist,
				content: `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0">\n<dict>\n  <key>Label</key><string>${label}</string>\n  <key>ProgramArguments</key>\n  <array>\n${args.map(a => `    <string>${a}</string>\n`).join('')}  </array>\n  <key>RunAtLoad</key><true/>\n  <key>KeepAlive</key><true/>\n</dict>\n</plist>\n`,
			},
			{kind: 'write', path: systemPath(`/etc/resolver/${domain}`), content: `# Written by port install; removed by port uninstall.\nnameserver 127.0.0.1\nport ${dnsmasqPort()}\n`},
			// bootstrap fails for a loaded daemon: unload it first (fails harmlessly when it is not loaded).
			{kind: 'run', argv: ['launchctl', 'bootout', `system/${label}`], mayFail: true},
			{kind: 'run', argv: ['launchctl', 'bootstrap', 'system', plist], undo: ['launchctl', 'bootout', `system/${label}`]},
		);
	}
	return {mode, domain, steps, why};
}
