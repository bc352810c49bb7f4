// The app shell paints before tfjs exists anywhere: the model loads in the worker, which the first
// import starts before anything else of the page runs.
import './app-engine';
import './theme.css';
import './app-root';
import './components/update-prompt';

document.documentElement.dataset['ready'] = 'true';
performance.mark('obscura:app:evaluated');
