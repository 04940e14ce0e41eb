import {mkdirSync, readFileSync, renameSync} from 'node:fs';
import type {lockSync} from 'proper-lockfile';
import {writeFileAtomic} from '../atomic-write.js';
import {ExitCode, PortError, errnoCode, fsError} from '../errors.js';
import {lazyRequire} from '../lazy.js';
import {portHome, registryFile, registryLockFile} from '../paths.js';
import {checkRegistry, emptyRegistry, registryVersion, serializeRegistry, type Registry} from './schema.js';
import {warn} from '../warnings.js';
import {sleep} from '../sleep.js';

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
 * first use. Only its sync try is used: the waits between tries are ours (sync or async, below).
 */
const lockfile = () => lazyRequire('proper-lockfile') as {lockSync: typeof lockSync};

type Release = () => void;

/**
 * One try at the lock: the release function, or undefined while another process holds it. A
 * holder that died leaves the lock directory behind; it counts as stale after 10 s.
 */
function tryLock(): Release | undefined {
	try {
		return lockfile().lockSync(registryFile(), {lockfilePath: registryLockFile(), realpath: false, stale: 10_000});
	} catch (error) {
		if (errnoCode(error) !== 'ELOCKED') throw fsError('lock', registryLockFile(), error);
		return undefined;
	}
}

const lockWaitMs = 30_000;

/**
 * Tries the lock until it is free (the release function is the generator's return value),
 * yielding how long to pause before each retry: short random pauses, up to 30 s in all. How to
 * pause is the caller's: acquireSync blocks, updateRegistryAsync waits on a timer.
 */
function* lockTries(): Generator<number, Release> {
	ensureHome();
	const deadline = Date.now() + lockWaitMs;
	for (;;) {
		const release = tryLock();
		if (release) return release;
		if (Date.now() > deadline) {
			throw new PortError(`Timed out waiting for the registry lock ${registryLockFile()}; is another port command stuck?`, ExitCode.failure);
		}
		yield 2 + Math.random() * 20;
	}
}

/**
 * The sync wait, kept for sync callers: stale cleanup at the start of every command (nothing
 * else runs yet). It blocks the thread between tries, so it is bounded: 30 s at most, a dead
 * holder's lock goes stale after 10 s, and the critical sections themselves take milliseconds.
 */
function acquireSync(): Release {
	const tries = lockTries();
	for (let step = tries.next(); ; step = tries.next()) {
		if (step.done) return step.value;
		Atomics.wait(sleeper, 0, 0, step.value);
	}
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

type Updated<T> = T extends void ? Registry : T;

/** The critical section: load (repairing if needed), mutate, write back if anything changed. */
function mutateLocked<T>(mutate: (registry: Registry) => T | void, release: Release): Updated<T> {
	try {
		const {registry, repair} = load();
		if (repair) backUp(repair);
		const before = serializeRegistry(registry);
		const result = mutate(registry);
		const after = serializeRegistry(registry);
		if (repair || after !== before) writeFileAtomic(registryFile(), after);
		return (result === undefined ? registry : result) as Updated<T>;
	} finally {
		release();
	}
}

/**
 * Locked read-modify-write with an atomic replace. The mutator may change the registry in place
 * or return a value; whatever it returns is handed back. The mutator is sync on purpose: the
 * critical section stays short and no other callback can run while the lock is held.
 * Waits for the lock synchronously: long-lived processes use updateRegistryAsync instead.
 */
export function updateRegistry<T = Registry>(mutate: (registry: Registry) => T | void): Updated<T> {
	return mutateLocked(mutate, acquireSync());
}

/**
 * updateRegistry, but waiting for the lock never blocks the event loop: timers, signals and the
 * dashboard's rendering go on. The long-lived processes (`port run`, the dashboard) and the work they
 * share with commands (Traefik start, compose up/down) take the lock this way. The section
 * itself stays sync; uncontended, it runs at once, before this returns.
 */
export function updateRegistryAsync<T = Registry>(mutate: (registry: Registry) => T | void): Promise<Updated<T>> {
	try {
		const tries = lockTries();
		const first = tries.next();
		if (first.done) return Promise.resolve(mutateLocked(mutate, first.value));
		return (async () => {
			for (let step: IteratorResult<number, Release> = first; ; step = tries.next()) {
				if (step.done) return mutateLocked(mutate, step.value);
				await sleep(step.value);
			}
		})();
	} catch (error) {
		return Promise.reject(error);
	}
}
