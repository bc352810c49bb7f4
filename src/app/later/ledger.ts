/** The hosts' grants and the ledger, at the foot of the page. */
import '../components/host-grants';
import '../components/ledger-view';
