// The app shell paints before tfjs exists anywhere: the model loads in the worker.
import './theme.css';
import './app-root';
import './components/update-prompt';

document.documentElement.dataset['ready'] = 'true';
