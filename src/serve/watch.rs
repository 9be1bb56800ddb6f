//! Watching the project for edits: `content/`, `templates/` and `static/`,
//! with notify. Only writes count (a rebuild reads every file, and notify
//! reports opens too), hidden and backup files are left out (an editor's
//! swap files), and a burst of writes makes one rebuild once it has
//! settled. `notify-debouncer-mini` would do the settling but reports every
//! event kind, opens included, so each rebuild would start the next one:
//! the twenty lines of [`Watch::wait`] are ours.

use std::path::Path;
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use super::ServeError;

/// How long writes must have stopped before a rebuild.
const SETTLE: Duration = Duration::from_millis(100);
/// How often the stop flag is looked at.
const TICK: Duration = Duration::from_millis(50);

/// The project's input folders, watched.
pub(super) struct Watch {
    /// Kept alive while the events are read.
    _watcher: RecommendedWatcher,
    events: Receiver<notify::Result<notify::Event>>,
    dirty_since: Option<Instant>,
}

impl Watch {
    pub(super) fn start(root: &Path) -> Result<Watch, ServeError> {
        let (tx, events) = channel();
        let mut watcher = notify::recommended_watcher(tx).map_err(|e| ServeError::Watch(e.to_string()))?;
        for dir in ["content", "templates", "static"] {
            let path = root.join(dir);
            if path.is_dir() {
                watcher
                    .watch(&path, RecursiveMode::Recursive)
                    .map_err(|e| ServeError::Watch(format!("{}: {e}", path.display())))?;
            }
        }
        Ok(Watch {
            _watcher: watcher,
            events,
            dirty_since: None,
        })
    }

    /// Waits a tick for events: `Ok(true)` when edits have settled and a
    /// rebuild is due, `Err` when the watch has ended.
    pub(super) fn wait(&mut self, log: &dyn Fn(&str)) -> Result<bool, ()> {
        match self.events.recv_timeout(TICK) {
            Ok(Ok(event)) if is_edit(&event) => self.dirty_since = Some(Instant::now()),
            Ok(Ok(_)) | Err(RecvTimeoutError::Timeout) => {}
            Ok(Err(e)) => log(&format!("watch error: {e}\n")),
            Err(RecvTimeoutError::Disconnected) => return Err(()),
        }
        let due = self.dirty_since.is_some_and(|t| t.elapsed() >= SETTLE);
        if due {
            self.dirty_since = None;
        }
        Ok(due)
    }
}

/// A write, a new file or a removal of a file that is not hidden or a backup.
fn is_edit(event: &notify::Event) -> bool {
    let change = matches!(
        event.kind,
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_)
    );
    let hidden = event.paths.iter().all(|p| {
        p.file_name().is_some_and(|n| {
            let n = n.to_string_lossy();
            n.starts_with('.') || n.ends_with('~')
        })
    });
    change && !hidden
}
