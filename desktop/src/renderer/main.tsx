import { render } from 'preact';
import { App } from './app.tsx';
import { connect } from './bridge.ts';
import './styles.css';
import './desk.css';
import './revoked.css';

// A kiosk has no use for the browser's own gestures: no context menu, no pinch zoom, no drag ghosts.
window.addEventListener('contextmenu', (e) => e.preventDefault());
window.addEventListener('dragstart', (e) => e.preventDefault());

const root = document.getElementById('app');
if (root) render(<App conn={connect()} />, root);
