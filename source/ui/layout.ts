/** Heights of the dashboard's regions for a terminal of `rows` lines; the frame stays below `rows`. */
export interface Layout {
	/** Lines of the service list. */
	list: number;
	/** Lines of log text (below the log pane's title line). */
	log: number;
	/** Lines the frame uses in total (always < rows, so Ink never clears the screen per render). */
	total: number;
	/** Wide terminals: list and log pane side by side, with these widths. */
	side: boolean;
	listWidth: number;
	logWidth: number;
}

/** From this many columns the list and the log pane sit side by side. */
export const sideBySideColumns = 160;

/** header + list + log title + log + message + footer = rows - 1 (side by side: list beside title + log). */
export function computeLayout(rows: number, listWanted: number, panel = 0, cols = 80): Layout {
	const usable = Math.max(6, rows - 1);
	if (cols >= sideBySideColumns) {
		const body = Math.max(2, usable - 3 - panel);
		const listWidth = Math.min(90, Math.floor(cols * 0.4));
		return {list: body, log: body - 1, total: 3 + body + panel, side: true, listWidth, logWidth: cols - listWidth - 1};
	}
	const fixed = 4; // header, log title, message, footer
	const space = usable - fixed;
	const maxList = Math.max(2, Math.floor(space * 0.45));
	const list = Math.max(1, Math.min(Math.max(listWanted, 1), maxList));
	const log = Math.max(0, space - list - panel);
	return {list, log, total: fixed + list + log + panel, side: false, listWidth: cols, logWidth: cols};
}

/** First row to show so that `selected` stays visible in a window of `height` rows. */
export function windowStart(count: number, selected: number, height: number): number {
	if (count <= height || selected < 0) return 0;
	return Math.max(0, Math.min(selected - Math.floor(height / 2), count - height));
}
