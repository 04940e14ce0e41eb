// Whether the selected host service's routed URL works right now (dns/honest.ts): Traefik
// running and the name resolving to 127.0.0.1. The log pane marks the routed URL when not.
import type {StoreContext} from './context.js';
import {selectedRow} from './selectors.js';

/** Checks on selection and Traefik changes; returns a function that stops watching. */
export function watchRouting(ctx: StoreContext): () => void {
	const {store, deps} = ctx;
	let last = '';
	const check = () => {
		const state = store.getState();
		const row = selectedRow(state);
		if (row?.kind !== 'host' || ctx.disposed) return;
		const {hostname} = row.host;
		const traefik = state.traefik.state === 'unknown' ? undefined : state.traefik;
		const key = `${hostname} ${state.traefik.state}`;
		if (key === last) return;
		last = key;
		void deps
			.routedUrlProblem(hostname, traefik)
			.catch(() => undefined)
			.then(problem => {
				if (ctx.disposed) return;
				const {[hostname]: _, ...rest} = store.getState().routeProblems;
				store.setState({routeProblems: problem ? {...rest, [hostname]: problem} : rest});
			});
	};
	const unsubscribe = store.subscribe((state, previous) => {
		if (state.selected !== previous.selected || state.traefik !== previous.traefik || state.worktrees !== previous.worktrees) check();
	});
	check();
	return unsubscribe;
}
