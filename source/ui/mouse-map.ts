import type {Action} from '../core/dashboard/store.js';
import type {MouseEvent} from './mouse.js';

/** Where the log pane's lines are on screen (1-based, the frame drawn from the top-left). */
export interface LogArea {
	top: number;
	left: number;
	rows: number;
	/** Absolute index of the first line shown, and how many are shown. */
	first: number;
	count: number;
}

/** Lines scrolled per wheel notch. */
export const wheelLines = 3;

/**
 * Copy mode with the mouse: press on a line selects it, dragging extends the selection from
 * there (above or below the pane: to its first or last line shown), the wheel scrolls.
 * `pressed` is the line the button went down on (kept by the caller between events).
 */
export function mouseToAction(event: MouseEvent, area: LogArea, pressed: {line?: number}): Action | undefined {
	if (event.kind === 'wheel-up') return {type: 'copyScroll', delta: -wheelLines};
	if (event.kind === 'wheel-down') return {type: 'copyScroll', delta: wheelLines};
	if (event.kind === 'release') {
		pressed.line = undefined;
		return undefined;
	}
	if (event.kind === 'press') pressed.line = undefined;
	if (area.count === 0) return undefined;
	const offset = event.y - area.top;
	if (event.kind === 'press') {
		if (event.x < area.left || offset < 0 || offset >= area.count) return undefined;
		pressed.line = area.first + offset;
		return {type: 'copySelect', from: pressed.line, to: pressed.line};
	}
	if (pressed.line === undefined) return undefined;
	const line = area.first + Math.max(0, Math.min(area.count - 1, offset));
	return {type: 'copySelect', from: pressed.line, to: line};
}
