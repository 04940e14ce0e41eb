import {mkdirSync, readFileSync, renameSync} from 'node:fs';
import type {lockSync} from 'proper-lockfile';
import {writeFileAtomic} from '../atomic-write.js';
import {ExitCode, PortError, errnoCode, fsError} from '../errors.js';
import {lazyRequire} from '../lazy.js';
import {portHome, registryFile, registryLockFile} from '../paths.js';
import {checkRegistry, emptyRegistry, registryVersion, serializeRegistry, type Registry} from './schema.js';
import {warn} from '../warnings.js';

export * from './schema.js';

function ensureHome(): void {
	try {
		mkdirSync(portHome(), {recursive: true});
	} catch (error) {
		throw fsError('create', portHome(), error);
	}
}

type Loaded = {registry: Registry; repair?: string};

/** Reads and classifies the file; `repair` says why the file must be rewritten (under the lock). */
function load(): Loaded {
	let text: string;
	try {
		text = readFileSync(registryFile(), 'utf8');
	} catch (error) {
		if (errnoCode(error) === 'ENOENT') return {registry: emptyRegistry()};
		throw fsError('read', registryFile(), error);
	}
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		return {registry: emptyRegistry(), repair: 'it is not valid JSON'};
	}
	const checked = checkRegistry(value);
	switch (checked.kind) {
		case 'ok':
			return {registry: checked.registry};
		case 'future':
			throw new PortError(
				`${registryFile()} was written by a newer port (registry version ${checked.version}, this port knows ${registryVersion}); upgrade port. Nothing was changed.`,
				ExitCode.config,
			);
		case 'corrupt':
			return {registry: emptyRegistry(), repair: checked.reason};
	}
}

/** Moves a damaged registry aside (never silently emptied) and says where it went. */
function backUp(reason: string): void {
	const backup = `${registryFile()}.corrupt-${new Date().toISOString().replaceAll(':', '-')}`;
	try {
		renameSync(registryFile(), backup);
	} catch (error) {
		throw fsError('back up', registryFile(), error);
	}
	warn(`registry ${registryFile()} was unusable (${reason}); it was moved to ${backup} and a fresh one started.`);
}

/** A consistent snapshot without the lock (the file is only ever replaced atomically). */
export function readRegistry(): Registry {
	const loaded = load();
	return loaded.repair ? updateRegistry(r => r) : loaded.registry;
}

/**
 * proper-lockfile (with graceful-fs, retry and signal-exit, which loads node:assert and creates
 * process.stderr) costs `port list` ~15 ms to load, and only writes need it: it is required on
 * first use. Sync, because the critical section is; scripts/build.mjs leaves it in node_modules.
 */
const lockfile = () => lazyRequire('proper-lockfile') as {lockSync: typeof lockSync};

function acquire(): () => void {
	ensureHome();
	const deadline = Date.now() + 30_000;
	for (;;) {
		try {
			// A holder that died leaves the lock directory behind; it counts as stale after 10 s.
			// Retries are ours (the sync API has none): short random sleeps up to 30 s.
			return lockfile().lockSync(registryFile(), {lockfilePath: registryLockFile(), realpath: false, stale: 10_000});
		} catch (error) {
			if (errnoCode(error) !== 'ELOCKED') throw fsError('lock', registryLockFile(), error);
			if (Date.now() > deadline) {
				throw new PortError(`Timed out waiting for the registry lock ${registryLockFile()}; is another port command stuck?`, ExitCode.failure);
			}
			sleepSync(2 + Math.random() * 20);
		}
	}
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
const sleepSync = (ms: number) => Atomics.wait(sleeper, 0, 0, ms);

/**
 * Locked read-modify-write with an atomic replace. The mutator may change the registry in place
 * or return a value; whatever it returns is handed back. Sync on purpose: the critical section
 * stays short and no other callback can run while the lock is held.
 */
export function updateRegistry<T = Registry>(mutate: (registry: Registry) => T | void): T extends void ? Registry : T {
	const release = acquire();
	try {
		const {registry, repair} = load();
		if (repair) backUp(repair);
		const before = serializeRegistry(registry);
		const result = mutate(registry);
		const after = serializeRegistry(registry);
		if (repair || after !== before) writeFileAtomic(registryFile(), after);
		return (result === undefined ? registry : result) as T extends void ? Registry : T;
	} finally {
		release();
	}
}
