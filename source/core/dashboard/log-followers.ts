// Keeps one follower per live host service's log file, and one `docker compose logs` for the
// selected compose row, feeding their text into the log buffers.
import type {Follower} from '../logs/follow.js';
import type {StoreContext} from './context.js';
import {selectedRow} from './selectors.js';
import type {HostRow} from './types.js';

export interface LogFollowers {
	/** Follows the log file of every row with a live entry; lets go of the others. */
	syncFiles(rows: HostRow[]): void;
	/** Follows the selected compose service's logs, if a compose row is selected. */
	syncCompose(): void;
	/** Stops following a service's file at once. */
	forget(key: string): void;
	stopAll(): void;
}

export function createLogFollowers(ctx: StoreContext): LogFollowers {
	const {store, bufferFor, ingest} = ctx;
	const {followFile: follow, followCompose} = ctx.deps;
	const fileFollowers = new Map<string, {file: string; follower: Follower; stopTimer?: NodeJS.Timeout}>();
	let composeFollower: {key: string; follower: Follower} | undefined;

	const syncFiles = (rows: HostRow[]) => {
		const wanted = new Map<string, string>();
		for (const row of rows) if (row.entry) wanted.set(row.key, row.entry.logFile);
		for (const [key, file] of wanted) {
			const current = fileFollowers.get(key);
			if (current?.file === file) {
				if (current.stopTimer) clearTimeout(current.stopTimer);
				current.stopTimer = undefined;
				continue;
			}
			current?.follower.stop();
			if (current) ingest(key, '\u001B[2m── new run ──\u001B[0m\n');
			fileFollowers.set(key, {file, follower: follow(file, text => ingest(key, text))});
		}
		for (const [key, current] of fileFollowers) {
			if (wanted.has(key) || current.stopTimer) continue;
			// The service ended: its file may be unlinked already, but the open descriptor still
			// holds the last lines. Read them, then let go.
			current.stopTimer = setTimeout(() => {
				current.follower.stop();
				bufferFor(key).flush();
				if (fileFollowers.get(key) === current) fileFollowers.delete(key);
			}, 600);
			current.stopTimer.unref?.();
		}
	};

	const syncCompose = () => {
		const row = selectedRow(store.getState());
		const key = row?.kind === 'compose' ? row.key : undefined;
		if (composeFollower?.key === key) return;
		composeFollower?.follower.stop();
		composeFollower = undefined;
		if (row?.kind !== 'compose') return;
		bufferFor(row.key).clear();
		const follower = followCompose(
			row.compose.project,
			row.compose.service,
			text => ingest(row.key, text),
			problem => {
				if (problem) ingest(row.key, `\u001B[2m[port: docker compose logs ended: ${problem}]\u001B[0m\n`);
			},
		);
		composeFollower = {key: row.key, follower};
	};

	const forget = (key: string) => {
		const current = fileFollowers.get(key);
		// Also cancel a pending drain, or it would stop the follower again and re-create the buffer.
		if (current?.stopTimer) clearTimeout(current.stopTimer);
		current?.follower.stop();
		fileFollowers.delete(key);
	};

	const stopAll = () => {
		composeFollower?.follower.stop();
		for (const {follower, stopTimer} of fileFollowers.values()) {
			if (stopTimer) clearTimeout(stopTimer);
			follower.stop();
		}
		fileFollowers.clear();
	};

	return {syncFiles, syncCompose, forget, stopAll};
}
