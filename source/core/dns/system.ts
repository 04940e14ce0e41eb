import path from 'node:path';
import {portHome} from '../paths.js';

/**
 * Every system path and command `port install` touches, overridable so tests (and careful
 * users) never have to touch the real /etc. Documented in readme.md under "Environment".
 */
const env = (name: string) => {
	const value = process.env[name]?.trim();
	return value === undefined || value === '' ? undefined : value;
};

/** Root prefix for /etc/resolver, /etc/systemd, /etc/NetworkManager, /etc/port (PORT_SYSTEM_ROOT, default /). */
export const systemRoot = () => path.resolve(env('PORT_SYSTEM_ROOT') ?? '/');
export const systemPath = (absolute: string) => path.join(systemRoot(), absolute);

/** The hosts file (PORT_HOSTS_FILE, default <system root>/etc/hosts). */
export const hostsFile = () => path.resolve(env('PORT_HOSTS_FILE') ?? systemPath('/etc/hosts'));

/**
 * The command that runs a step as root (PORT_ELEVATE, default `sudo`), split on white space
 * into an argument array; `PORT_ELEVATE=` (empty) or running as root means no elevation.
 */
export function elevateCommand(): string[] {
	const raw = process.env['PORT_ELEVATE'];
	if (raw !== undefined && raw.trim() === '') return [];
	if (process.getuid?.() === 0 && raw === undefined) return [];
	return (raw ?? 'sudo').trim().split(/\s+/);
}

/** The OS as install sees it (PORT_PLATFORM exists for tests of the macOS plan). */
export const platform = () => env('PORT_PLATFORM') ?? process.platform;

/** Port the dnsmasq that port installs listens on, on 127.0.0.1 (Linux modes; PORT_DNSMASQ_PORT). */
export const dnsmasqPort = () => Number(env('PORT_DNSMASQ_PORT') ?? 53535);

/** Homebrew's prefix on macOS (PORT_BREW_PREFIX; else /opt/homebrew on arm64, /usr/local on Intel). */
export const brewPrefix = () => env('PORT_BREW_PREFIX') ?? (process.arch === 'arm64' ? '/opt/homebrew' : '/usr/local');

/** What install did, so uninstall undoes exactly that. */
export const dnsStateDir = () => path.join(portHome(), 'dns');
export const dnsStateFile = () => path.join(dnsStateDir(), 'install.json');
