/** The budget gauge and the scopes' settings, the cards below the privacy controls. */
import '../components/budget-gauge';
import '../components/scope-settings';
