import template from './home.html';
import { pageModule } from '../core/page-module';

/** `/`: the two choices. */
export default pageModule({ name: 'home', url: '/', component: 'home' }, { template });
