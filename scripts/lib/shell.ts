// zx's $ as every script uses it: quiet, because the scripts report through their own status
// lines and errors; a failed command's output still travels in the error it throws.
import { $ } from 'zx';

$.quiet = true;

export { $ };
