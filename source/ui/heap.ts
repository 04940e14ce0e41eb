import v8 from 'node:v8';

/**
 * Keeps the dashboard's heap small without making its frames wait for the garbage collector.
 *
 * Ink rebuilds the whole screen on every frame, so a log flood produces a few MB of short-lived
 * garbage per frame. With V8's defaults the young generation grows to 2 x 16 MB and the old
 * generation is left to grow up to 4x its live size: 180 MB peak RSS in bench/ui-flood.mjs.
 * Shrinking only the young generation (1 MB) promotes each frame's garbage and the major GCs
 * that follow cost key presses 100+ ms. What measured best (bench/ui-flood.mjs, 2 cores):
 * a young generation capped at 2 x 8 MB and an old generation that grows 2x its live size:
 * 122-127 MB peak, key -> frame p95 54-78 ms over several runs (defaults: 176-180 MB, p95 70-171
 * ms; growth 2x with a 16 MB young generation: 139-147 MB, p95 63-74 ms).
 *
 * `--max-semi-space-size` is read only when the heap is created (a flag on the command line;
 * setting it later does nothing), so the cap is kept at run time instead: V8 reads
 * `--semi-space-growth-factor` each time it grows the young generation, which is set to 1 (no
 * growth) once the cap is reached and back to 2 when V8 shrank it. The old generation's growth
 * factor is read at each major GC. Nothing limits how much the heap may hold: a large live set
 * only means more frequent collections, never an out-of-memory error.
 */
export function tuneHeap(options: {youngCapMB?: number; checkMs?: number} = {}): () => void {
	const capBytes = (options.youngCapMB ?? 8) * 2 * 1024 * 1024;
	v8.setFlagsFromString('--heap-growing-percent=100');
	let frozen: boolean | undefined;
	const check = () => {
		const newSpace = v8.getHeapSpaceStatistics().find(space => space.space_name === 'new_space');
		const atCap = (newSpace?.space_size ?? 0) >= capBytes;
		if (atCap === frozen) return;
		frozen = atCap;
		v8.setFlagsFromString(`--semi-space-growth-factor=${atCap ? 1 : 2}`);
	};
	check();
	const timer = setInterval(check, options.checkMs ?? 50);
	timer.unref();
	return () => {
		clearInterval(timer);
		v8.setFlagsFromString('--semi-space-growth-factor=2');
		v8.setFlagsFromString('--heap-growing-percent=0');
	};
}
