// spasm-teach's helpers for its JupyterLite site, loaded by lab/index.html (spasm_lib/lite.py copies
// this file into the site; no JupyterLab extension to build). Two things JupyterLite lacks:
//
// 1. While Python starts in the browser (tens of seconds on a first visit) a student sees stored
//    outputs and a kernel called "Unknown", and cells they run seem to do nothing. A notice says
//    what is happening and about how long it takes; the page remembers the last real start time.
// 2. JupyterLite keeps a student's saved copy of a notebook in the browser, over the site's file,
//    and nothing in its interface brings the original back (jupyterlite issues 1468 and 1812).
//    "File > Start This Notebook Again from the Original" does, after a confirmation.
//
// It uses only JupyterLab's public application object (jupyter-config-data.exposeAppInBrowser).
(function () {
  'use strict';

  var COMMAND = '__START_AGAIN_COMMAND__';
  var DEFAULT_SECONDS = __KERNEL_START_SECONDS__;
  var SECONDS_KEY = 'spasm-teach:kernel-start-seconds';
  var NOTICE_ID = 'spasm-teach-kernel-notice';

  function expectedSeconds() {
    var remembered = Number(window.localStorage.getItem(SECONDS_KEY));
    return remembered > 0 && remembered < 600 ? Math.max(1, Math.round(remembered)) : DEFAULT_SECONDS;
  }

  function currentNotebook(app) {
    var widget = app.shell.currentWidget;
    if (!widget || !widget.context || !widget.sessionContext) {
      return null;
    }
    var path = widget.context.path || '';
    return /\.ipynb$/.test(path) ? widget : null;
  }

  // ---- 1. "Python is starting" ----------------------------------------------------------------

  var ready = {}; // kernel ids seen idle once: started
  var waitingSince = null;

  function notice() {
    var element = document.getElementById(NOTICE_ID);
    if (!element) {
      element = document.createElement('div');
      element.id = NOTICE_ID;
      element.setAttribute('role', 'status');
      element.setAttribute('aria-live', 'polite');
      element.style.cssText =
        'position:fixed;left:50%;bottom:2.5em;transform:translateX(-50%);z-index:10000;' +
        'max-width:40em;padding:0.6em 1em;border:2px solid #1a1a1a;border-radius:4px;' +
        'background:#ffffff;color:#1a1a1a;font:14px/1.4 system-ui,sans-serif;' +
        'box-shadow:0 2px 8px rgba(0,0,0,0.3);display:none';
      document.body.appendChild(element);
    }
    return element;
  }

  function kernelStarting(widget) {
    var session = widget.sessionContext.session;
    var kernel = session && session.kernel;
    if (!kernel) {
      return !widget.sessionContext.hasNoKernel;
    }
    if (ready[kernel.id]) {
      return false;
    }
    if (kernel.status === 'idle' || kernel.status === 'busy') {
      ready[kernel.id] = true;
      return false;
    }
    return true;
  }

  function updateNotice(app) {
    var widget = currentNotebook(app);
    var starting = widget !== null && kernelStarting(widget);
    var element = notice();
    if (starting) {
      if (waitingSince === null) {
        waitingSince = Date.now();
        element.textContent =
          'Python is starting in your browser (about ' + expectedSeconds() + ' s). ' +
          'The results stored in the notebook stay as they are; cells you run now run as soon as it is ready.';
      }
      element.style.display = 'block';
    } else {
      if (waitingSince !== null && widget !== null) {
        var seconds = (Date.now() - waitingSince) / 1000;
        window.localStorage.setItem(SECONDS_KEY, String(Math.round(seconds)));
      }
      waitingSince = null;
      element.style.display = 'none';
    }
  }

  // ---- 2. Start a notebook again from the original --------------------------------------------

  async function startAgain(app) {
    var widget = currentNotebook(app);
    if (widget === null) {
      window.alert('Open the notebook you want to start again first, then choose this again.');
      return;
    }
    var path = widget.context.path;
    var name = path.split('/').pop();
    var question =
      'Start "' + name + '" again from the original?\n\n' +
      'Your answers, changes and new cells in this notebook will be lost, and its Python is restarted. ' +
      'Your other notebooks are not touched.';
    if (!window.confirm(question)) {
      return;
    }
    try {
      await widget.sessionContext.shutdown();
    } catch (error) {
      // No kernel to stop: nothing to do.
    }
    widget.context.model.dirty = false; // closed without saving: the copy is about to go
    widget.dispose();
    // The student's copy lives in the browser's storage, over the site's file: removing it brings
    // the original back (the site's file itself cannot be changed from the browser).
    await app.serviceManager.contents.delete(path);
    await app.commands.execute('docmanager:open', { path: path });
  }

  function register(app) {
    app.commands.addCommand(COMMAND, {
      label: 'Start This Notebook Again from the Original…',
      caption: 'Discard your changes to this notebook and open it as the course gave it (asks first)',
      isEnabled: function () {
        return currentNotebook(app) !== null;
      },
      execute: function () {
        return startAgain(app);
      }
    });
    window.setInterval(function () {
      updateNotice(app);
    }, 250);
  }

  function whenApp() {
    if (window.jupyterapp && window.jupyterapp.commands && document.body) {
      register(window.jupyterapp);
    } else {
      window.setTimeout(whenApp, 20);
    }
  }

  whenApp();
})();
