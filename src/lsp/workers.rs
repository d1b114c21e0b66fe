//! A small fixed pool of threads for the position requests of the fast path (see
//! [`super::ordered`]).
//!
//! These requests take tens of microseconds of work. Handing each to tokio's blocking pool
//! cost more than the work under load: one thread wake-up per request, about 50 threads
//! taking turns on two cores, and a second wake-up of the async task to collect the result.
//! Here a few threads take jobs from one queue and only sleep when it is empty, so a busy
//! server answers request after request on the same threads without waking anyone. The jobs
//! write their answers themselves (to [`super::output::Output`]).
//!
//! The queue is bounded by [`Pool::admit`]: a client that sends faster than the pool answers
//! waits in the transport's read loop, as it did behind the router's concurrency limit.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

type Job = Box<dyn FnOnce() + Send + 'static>;

/// Jobs queued or running at most (more wait to be admitted).
const MAX_JOBS: usize = 64;

/// How long [`Pool::close`] waits for the threads to end: long enough for the last jobs
/// (microseconds each), short enough that a job stuck on a huge document does not keep a
/// closing server alive.
const CLOSE_WAIT: Duration = Duration::from_secs(2);

#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    /// Threads waiting for a job.
    idle: usize,
    closed: bool,
}

pub struct Pool {
    queue: Mutex<Queue>,
    ready: Condvar,
    permits: Arc<Semaphore>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl Pool {
    /// Start `threads` threads that run jobs inside the current tokio runtime's context (jobs
    /// may spawn tasks). Call from within the runtime.
    pub fn start(threads: usize) -> Arc<Pool> {
        let pool = Arc::new(Pool {
            queue: Mutex::default(),
            ready: Condvar::new(),
            permits: Arc::new(Semaphore::new(MAX_JOBS)),
            threads: Mutex::default(),
        });
        let rt = tokio::runtime::Handle::try_current().ok();
        for i in 0..threads.max(1) {
            let p = pool.clone();
            let rt = rt.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("newsmark-worker-{i}"))
                .spawn(move || {
                    let _ctx = rt.as_ref().map(|h| h.enter());
                    p.work();
                });
            match spawned {
                Ok(t) => pool
                    .threads
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(t),
                // No thread at all: jobs run where they are pushed (see `push`).
                Err(_) if i == 0 => pool.lock().closed = true,
                Err(_) => {}
            }
        }
        pool
    }

    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Wait until a job may be queued; the permit is held until the job has run.
    pub async fn admit(&self) -> Option<OwnedSemaphorePermit> {
        self.permits.clone().acquire_owned().await.ok()
    }

    /// Queue a job (it runs at once, here, if the pool has stopped).
    pub fn push(&self, job: impl FnOnce() + Send + 'static) {
        let mut q = self.lock();
        if q.closed {
            drop(q);
            job();
            return;
        }
        q.jobs.push_back(Box::new(job));
        let wake = q.idle > 0;
        drop(q);
        if wake {
            self.ready.notify_one();
        }
    }

    /// Run the oldest queued job here, if there is one: a thread that waits for older
    /// requests to finish helps the queue along instead of only sleeping (the requests it
    /// waits for may be queued behind it). True when a job ran.
    pub fn run_one(&self) -> bool {
        let job = self.lock().jobs.pop_front();
        match job {
            Some(job) => {
                job();
                true
            }
            None => false,
        }
    }

    /// Let the threads end once the queue is empty, and wait (at most [`CLOSE_WAIT`]) until
    /// they have: a server that has stopped leaves no thread of its own running, which an
    /// in-process host (tests, the fuzzer's leak check) relies on.
    pub fn close(&self) {
        self.lock().closed = true;
        self.ready.notify_all();
        let me = std::thread::current().id();
        let threads: Vec<JoinHandle<()>> =
            std::mem::take(&mut *self.threads.lock().unwrap_or_else(|e| e.into_inner()))
                .into_iter()
                // Closed from a job (never done now): that thread cannot wait for itself.
                .filter(|t| t.thread().id() != me)
                .collect();
        if threads.is_empty() {
            return;
        }
        // Joined on a helper thread, so that the wait can be bounded; the helper itself is
        // joined once it reports, so it does not outlive the pool either.
        let (done, finished) = std::sync::mpsc::channel();
        let joiner = std::thread::Builder::new()
            .name("newsmark-worker-join".into())
            .spawn(move || {
                for t in threads {
                    let _ = t.join();
                }
                let _ = done.send(());
            });
        if let Ok(joiner) = joiner {
            if finished.recv_timeout(CLOSE_WAIT).is_ok() {
                let _ = joiner.join();
            }
        }
    }

    fn work(&self) {
        let mut q = self.lock();
        loop {
            if let Some(job) = q.jobs.pop_front() {
                drop(q);
                // Jobs catch their own panics (a panic here would only lose this thread).
                job();
                q = self.lock();
                continue;
            }
            if q.closed {
                return;
            }
            q.idle += 1;
            q = self.ready.wait(q).unwrap_or_else(|e| e.into_inner());
            q.idle -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn jobs_run_and_threads_end_on_close() {
        let pool = Pool::start(2);
        let (tx, rx) = std::sync::mpsc::channel();
        for i in 0..100 {
            let permit = pool.admit().await.unwrap();
            let tx = tx.clone();
            pool.push(move || {
                let _permit = permit;
                tx.send(i).unwrap();
            });
        }
        let mut got: Vec<i32> = (0..100).map(|_| rx.recv().unwrap()).collect();
        got.sort();
        assert_eq!(got, (0..100).collect::<Vec<_>>());
        pool.close();
        // After closing, a job runs on the caller's thread.
        let (tx2, rx2) = std::sync::mpsc::channel();
        pool.push(move || tx2.send(std::thread::current().id()).unwrap());
        assert_eq!(rx2.recv().unwrap(), std::thread::current().id());
    }

    /// The fuzzer's leak check once caught a worker thread still exiting after its server
    /// had returned (its thread-local destructor list reported as leaked): `close` must
    /// return only after every thread has ended, thread-local destructors included.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn close_returns_after_every_thread_has_ended() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static ENDED: AtomicUsize = AtomicUsize::new(0);
        struct CountsItsEnd;
        impl Drop for CountsItsEnd {
            fn drop(&mut self) {
                // Slow enough that a close that does not wait returns first.
                std::thread::sleep(Duration::from_millis(50));
                ENDED.fetch_add(1, Ordering::SeqCst);
            }
        }
        thread_local! {
            static MARK: CountsItsEnd = const { CountsItsEnd };
        }
        let pool = Pool::start(2);
        let (tx, rx) = std::sync::mpsc::channel();
        // Every thread takes a job: each job holds its thread until all have started.
        let barrier = Arc::new(std::sync::Barrier::new(2));
        for _ in 0..2 {
            let (tx, barrier) = (tx.clone(), barrier.clone());
            pool.push(move || {
                MARK.with(|_| {});
                barrier.wait();
                tx.send(()).unwrap();
            });
        }
        rx.recv().unwrap();
        rx.recv().unwrap();
        pool.close();
        assert_eq!(ENDED.load(Ordering::SeqCst), 2);
    }

    /// A thread that waits for older requests runs the queue's jobs itself (see
    /// `Shared::let_older_requests_finish`): the job it waits for may be queued behind it.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn run_one_runs_a_queued_job_on_the_calling_thread() {
        let pool = Pool::start(1);
        // The pool's only thread is held by a job until the end of the test.
        let (hold_tx, hold_rx) = std::sync::mpsc::channel::<()>();
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        pool.push(move || {
            started_tx.send(()).unwrap();
            let _ = hold_rx.recv();
        });
        started_rx.recv().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        pool.push(move || tx.send(std::thread::current().id()).unwrap());
        assert!(pool.run_one());
        assert_eq!(rx.try_recv().unwrap(), std::thread::current().id());
        assert!(!pool.run_one(), "the queue is empty");
        drop(hold_tx);
        pool.close();
    }
}
