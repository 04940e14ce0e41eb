// The dashboard store's public API; the implementation lives in ./dashboard/.
export type {
	Action,
	ComposeRow,
	DashboardDeps,
	DashboardState,
	DashboardStore,
	Focus,
	HostRow,
	HostStatus,
	LaunchForm,
	ListRow,
	LogView,
	Message,
	Mode,
	Phase,
	WorktreeRow,
} from './dashboard/types.js';
export {formatUptime, hostKey, hostStatusText, isLive, listRows, logWindow, selectedRow, statusText, worktreeKey} from './dashboard/selectors.js';
export {splitCommand} from './dashboard/command-line.js';
export {createDashboardStore} from './dashboard/create-store.js';
