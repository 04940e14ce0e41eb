import {useEffect, useRef} from 'react';
import {logWindow, type DashboardStore} from '../core/dashboard/store.js';
import type {Layout} from './layout.js';
import {mouseToAction, type LogArea} from './mouse-map.js';
import type {MouseInput} from './mouse.js';

/**
 * The mouse selects log lines in copy mode, and only there: the rest of the time the terminal
 * keeps it (its own selection). Rows are counted from the frame's first line,
 * which is the screen's first (the dashboard runs on the alternate screen).
 */
export function useMouse(mouse: MouseInput | undefined, store: DashboardStore, layout: Layout, copying: boolean): void {
	const pressed = useRef<{line?: number}>({});
	const area = useRef<LogArea | undefined>(undefined);
	// Only copy mode takes the mouse: no window to work out on the frames of a flood otherwise.
	area.current = copying ? logArea(store, layout) : undefined;

	useEffect(() => {
		if (!mouse) return;
		return mouse.onMouse(event => {
			if (store.getState().mode !== 'copy' || !area.current) return;
			const action = mouseToAction(event, area.current, pressed.current);
			if (action) store.getState().dispatch(action);
		});
	}, [mouse, store]);

	useEffect(() => {
		mouse?.track(copying);
		if (!copying) pressed.current = {};
	}, [mouse, copying]);
}

/** Where the log lines are on screen: the header, then (narrow) the list, then the log pane's title line. */
function logArea(store: DashboardStore, layout: Layout): LogArea {
	const state = store.getState();
	const view = logWindow(state.logBuffer(), state.log, layout.log);
	return {
		top: layout.side ? 3 : layout.list + 3,
		left: layout.side ? layout.listWidth + 2 : 1,
		rows: layout.log,
		first: view.first,
		count: view.lines.length,
	};
}
