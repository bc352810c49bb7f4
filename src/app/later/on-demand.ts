/** What the page shows only when the person asks or a collector offers it: the camera and training. */
import '../components/camera-panel';
import '../components/training-panel';
