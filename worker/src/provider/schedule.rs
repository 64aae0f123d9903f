//! One device, its jobs run one at a time, earliest commit deadline first, and a check before
//! a job is taken on: a job that would finish after its deadline, or would make a job already
//! held do so, is declined for the chain's fixed fee rather than run late and end as a
//! no-show, slashed (NM4). The chain sizes each job's shortest window for
//! `window::JOBS_AT_ONCE` jobs on the slowest device it accepts; this is where a provider that
//! holds more than its device can serve finds out.

use crate::chain::JobId;
use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Jobs admitted to one device, waiting for it or on it.
#[derive(Default)]
pub struct Schedule {
	state: Mutex<State>,
	/// Signalled whenever the device is freed or a waiting job leaves.
	turn: Condvar,
}

#[derive(Default)]
struct State {
	/// What is on the device.
	running: Option<OnDevice>,
	/// Admitted jobs waiting for the device, earliest deadline first, with their estimates.
	waiting: BTreeMap<(Instant, JobId), Duration>,
}

/// A job on the device (`None`: the device being measured), since when and for how long.
#[derive(Clone, Copy)]
struct OnDevice {
	job: Option<JobId>,
	started: Instant,
	takes: Duration,
}

impl OnDevice {
	/// How much longer it holds the device: what is left of its estimate, and once past it, a
	/// quarter of what it has run so far, since it is evidently slower than thought.
	fn left(&self, now: Instant) -> Duration {
		let ran = now.saturating_duration_since(self.started);
		self.takes.saturating_sub(ran).max(ran / 4)
	}
}

/// Why a job is not taken on.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
	/// Run earliest deadline first behind what the device holds, it, or a job already held,
	/// would be done after its deadline.
	Late(Late),
	/// The job is on the device or waiting for it already: a duty started on an earlier
	/// connection to the node, whose computation outlived it.
	AlreadyHeld,
}

/// A job that would be done after its deadline.
#[derive(Debug, PartialEq, Eq)]
pub struct Late {
	/// The job that would be late.
	pub job: JobId,
	/// When it would be done, from now.
	pub done_in: Duration,
	/// Its deadline, from now.
	pub due_in: Duration,
	/// How many other jobs the device holds.
	pub held: usize,
}

impl std::fmt::Display for Late {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		write!(
			f,
			"with the {} other jobs this device holds, job {} would be done in about {} s, after \
			 its commit deadline in {} s",
			self.held,
			self.job,
			self.done_in.as_secs(),
			self.due_in.as_secs()
		)
	}
}

/// A job, its deadline and how long it takes, all from now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Planned {
	pub job: JobId,
	pub due_in: Duration,
	pub takes: Duration,
}

/// The jobs that would be done after their deadlines, and when, when `jobs` run one at a
/// time, earliest deadline first, on a device busy for `busy` from now. Earliest deadline
/// first meets every deadline whenever any order does, so an empty list means the jobs fit.
pub fn late_jobs(busy: Duration, jobs: &mut [Planned]) -> Vec<(Planned, Duration)> {
	jobs.sort_by_key(|p| (p.due_in, p.job));
	let mut done = busy;
	let mut late = Vec::new();
	for planned in jobs.iter() {
		done = done.saturating_add(planned.takes);
		if done > planned.due_in {
			late.push((*planned, done));
		}
	}
	late
}

/// A job that taking on `newcomer` would make late, and when it would be done: the newcomer
/// itself or one of `held`. A held job late already does not count: declining the newcomer
/// would not help it.
pub fn made_late(
	busy: Duration,
	held: &[Planned],
	newcomer: Planned,
) -> Option<(Planned, Duration)> {
	let late_already = late_jobs(busy, &mut held.to_vec());
	let mut with = held.to_vec();
	with.push(newcomer);
	late_jobs(busy, &mut with)
		.into_iter()
		.find(|(p, _)| !late_already.iter().any(|(q, _)| q.job == p.job))
}

/// A job's place in the schedule. Dropped without running, it leaves.
pub struct Admitted {
	schedule: Arc<Schedule>,
	/// Its key among the waiting jobs; taken when it runs.
	key: Option<(Instant, JobId)>,
}

impl Schedule {
	fn lock(&self) -> MutexGuard<'_, State> {
		// A job that panicked on the device leaves a consistent state: `Running` clears it.
		self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
	}

	fn wait<'a>(&self, state: MutexGuard<'a, State>, at_most: Duration) -> MutexGuard<'a, State> {
		match self.turn.wait_timeout(state, at_most) {
			Ok((state, _)) => state,
			Err(poisoned) => poisoned.into_inner().0,
		}
	}

	/// Takes on `job`, due at `deadline` and expected to take `takes` on the device, unless
	/// that would make it or a job already held late. A held job that is late already does
	/// not count against a newcomer: declining the newcomer would not help it.
	pub fn admit(
		self: &Arc<Self>,
		job: JobId,
		takes: Duration,
		deadline: Instant,
	) -> Result<Admitted, Refused> {
		let now = Instant::now();
		let mut state = self.lock();
		let on_device = state.running.and_then(|running| running.job);
		if on_device == Some(job) || state.waiting.keys().any(|&(_, held)| held == job) {
			return Err(Refused::AlreadyHeld);
		}
		let busy = state.running.map_or(Duration::ZERO, |running| running.left(now));
		let held: Vec<Planned> = state
			.waiting
			.iter()
			.map(|(&(due, job), &takes)| Planned {
				job,
				due_in: due.saturating_duration_since(now),
				takes,
			})
			.collect();
		let others = held.len() + usize::from(state.running.is_some());
		let newcomer = Planned { job, due_in: deadline.saturating_duration_since(now), takes };
		if let Some((newly, done_in)) = made_late(busy, &held, newcomer) {
			let late = Late { job: newly.job, done_in, due_in: newly.due_in, held: others };
			return Err(Refused::Late(late));
		}
		state.waiting.insert((deadline, job), takes);
		Ok(Admitted { schedule: self.clone(), key: Some((deadline, job)) })
	}

	/// Runs `work` alone on the device as soon as it is free, ahead of waiting jobs: for
	/// measuring the device, which takes about `takes`. Blocking.
	pub fn exclusive<T>(&self, takes: Duration, work: impl FnOnce() -> T) -> T {
		let mut state = self.lock();
		while state.running.is_some() {
			state = self.wait(state, Duration::from_secs(1));
		}
		state.running = Some(OnDevice { job: None, started: Instant::now(), takes });
		drop(state);
		let _running = Running(self);
		work()
	}
}

impl Admitted {
	/// Runs `work` on the device once this is the earliest waiting job and the device is
	/// free; or, if it can no longer be done by its deadline, leaves and says so (a job ahead
	/// ran over its estimate). Blocking: call it from a blocking task.
	pub fn run<T>(mut self, work: impl FnOnce() -> T) -> Result<T, Late> {
		let schedule = self.schedule.clone();
		let key = self.key.take().expect("an admitted job runs once");
		let (deadline, job) = key;
		let mut state = schedule.lock();
		loop {
			let takes = state.waiting.get(&key).copied().unwrap_or_default();
			let now = Instant::now();
			let busy = state.running.map_or(Duration::ZERO, |running| running.left(now));
			let latest_start = deadline.checked_sub(takes).unwrap_or(now);
			if now + busy > latest_start {
				state.waiting.remove(&key);
				let held = state.waiting.len() + usize::from(state.running.is_some());
				drop(state);
				schedule.turn.notify_all();
				let (done_in, due_in) = (busy + takes, deadline.saturating_duration_since(now));
				return Err(Late { job, done_in, due_in, held });
			}
			let first = state.waiting.keys().next() == Some(&key);
			if first && state.running.is_none() {
				state.waiting.remove(&key);
				state.running = Some(OnDevice { job: Some(job), started: now, takes });
				break;
			}
			// Woken when the device frees or a job leaves; at the latest when it must start.
			state = schedule.wait(state, latest_start.saturating_duration_since(now));
		}
		drop(state);
		let _running = Running(&schedule);
		Ok(work())
	}
}

/// Frees the device when the work on it ends, however it ends.
struct Running<'a>(&'a Schedule);

impl Drop for Running<'_> {
	fn drop(&mut self) {
		self.0.lock().running = None;
		self.0.turn.notify_all();
	}
}

impl Drop for Admitted {
	fn drop(&mut self) {
		if let Some(key) = self.key.take() {
			self.schedule.lock().waiting.remove(&key);
			self.schedule.turn.notify_all();
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::sync::atomic::{AtomicUsize, Ordering};
	use std::sync::mpsc;

	const S: Duration = Duration::from_secs(1);

	fn planned(job: JobId, due: u32, takes: u32) -> Planned {
		Planned { job, due_in: S * due, takes: S * takes }
	}

	fn late(busy: Duration, jobs: &mut [Planned]) -> Vec<(JobId, Duration)> {
		late_jobs(busy, jobs).into_iter().map(|(p, done)| (p.job, done)).collect()
	}

	fn refused_late(refused: Result<Admitted, Refused>) -> Late {
		match refused {
			Err(Refused::Late(late)) => late,
			Err(Refused::AlreadyHeld) => panic!("refused as already held"),
			Ok(_) => panic!("admitted"),
		}
	}

	#[test]
	fn jobs_fit_when_each_is_done_by_its_deadline_in_deadline_order() {
		// Taken in the order they came, job 0 would make job 1 late; by deadline both fit.
		assert!(late(Duration::ZERO, &mut [planned(0, 30, 10), planned(1, 10, 10)]).is_empty());
		// Exactly on time fits.
		assert!(late(Duration::ZERO, &mut [planned(0, 20, 10), planned(1, 10, 10)]).is_empty());
	}

	#[test]
	fn a_busy_device_or_one_job_too_many_makes_a_job_late() {
		// A second of work still on the device makes both a second late.
		let mut jobs = [planned(0, 20, 10), planned(1, 10, 10)];
		assert_eq!(late(S, &mut jobs), vec![(1, S * 11), (0, S * 21)]);
		// Four jobs at a window of four times their work fit; a fifth does not.
		let mut four: Vec<_> = (0..4).map(|job| planned(job, 40, 10)).collect();
		assert!(late(Duration::ZERO, &mut four).is_empty());
		four.push(planned(4, 40, 10));
		assert_eq!(late(Duration::ZERO, &mut four), vec![(4, S * 50)]);
	}

	#[test]
	fn a_job_that_would_make_a_held_one_late_is_refused_and_the_held_one_kept() {
		let schedule = Arc::new(Schedule::default());
		let now = Instant::now();
		let held = schedule.admit(1, S * 10, now + S * 15).expect("fits alone");
		// Job 2 is due first, so it would run first and push job 1 past its deadline.
		let refused = refused_late(schedule.admit(2, S * 10, now + S * 12));
		assert_eq!((refused.job, refused.held), (1, 1));
		assert!(refused.to_string().contains("job 1 would be done in about"), "{refused}");
		// Job 1 still holds its place: a job due after it that fits is taken.
		let later = schedule.admit(3, S * 5, now + S * 100).expect("fits after job 1");
		assert_eq!(schedule.lock().waiting.len(), 2);
		// The same job again (a duty begun on an earlier connection) is not counted twice.
		assert_eq!(schedule.admit(3, S * 5, now + S * 100).err(), Some(Refused::AlreadyHeld));
		drop((held, later));
		assert!(schedule.lock().waiting.is_empty(), "dropped places are freed");
	}

	#[test]
	fn a_held_job_already_late_does_not_turn_away_a_newcomer_that_fits() {
		// Job 1 ran over: with 20 s still on the device, job 2 (due in 15 s) is late already.
		let busy = S * 20;
		let held = [planned(2, 15, 5), planned(3, 100, 10)];
		// A newcomer due after job 2 that leaves job 3 on time is taken; job 2 stays late.
		assert_eq!(made_late(busy, &held, planned(4, 60, 10)), None);
		// One that would make job 3 late is refused, naming job 3.
		let (late, done) = made_late(busy, &held, planned(4, 95, 70)).expect("job 3 late");
		assert_eq!((late.job, done), (3, S * 105));
		// And one late itself is refused, naming itself.
		assert_eq!(made_late(busy, &held, planned(4, 30, 10)).map(|(p, _)| p.job), Some(4));
	}

	#[test]
	fn the_device_runs_one_job_at_a_time_earliest_deadline_first_whatever_order_they_came_in() {
		let schedule = Arc::new(Schedule::default());
		let now = Instant::now();
		// A job on the device until the test lets it go.
		let (release, released) = mpsc::channel::<()>();
		let (started, on_device) = mpsc::channel::<()>();
		let first = schedule.admit(0, S, now + S * 1000).unwrap();
		let blocker = std::thread::spawn(move || {
			first.run(|| {
				started.send(()).unwrap();
				released.recv().unwrap();
			})
		});
		on_device.recv().unwrap();
		// Admitted latest deadline first; each waits on its own thread.
		let order = Arc::new(Mutex::new(Vec::new()));
		let (on, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
		let threads: Vec<_> = [(5, 500), (4, 400), (3, 300), (2, 200), (1, 100)]
			.into_iter()
			.map(|(job, due)| {
				let admitted = schedule.admit(job, S, now + S * due).unwrap();
				let (order, on, most) = (order.clone(), on.clone(), most.clone());
				std::thread::spawn(move || {
					admitted.run(|| {
						most.fetch_max(on.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
						order.lock().unwrap().push(job);
						on.fetch_sub(1, Ordering::SeqCst);
					})
				})
			})
			.collect();
		release.send(()).unwrap();
		blocker.join().unwrap().unwrap();
		for thread in threads {
			thread.join().unwrap().expect("on time");
		}
		assert_eq!(*order.lock().unwrap(), vec![1, 2, 3, 4, 5]);
		assert_eq!(most.load(Ordering::SeqCst), 1, "never two jobs on the device");
		assert!(schedule.lock().running.is_none());
	}

	#[test]
	fn a_job_that_leaves_before_its_turn_holds_up_nobody() {
		let schedule = Arc::new(Schedule::default());
		let now = Instant::now();
		let gone = schedule.admit(1, S, now + S * 10).unwrap();
		let next = schedule.admit(2, S, now + S * 1000).unwrap();
		let waiting = std::thread::spawn(move || next.run(|| 7));
		drop(gone);
		// Job 2 is first now; had job 1 kept its place, or left without waking it, job 2 would
		// wait until its latest start, 999 s on.
		assert_eq!(waiting.join().unwrap(), Ok(7));
	}

	#[test]
	fn a_waiting_job_that_can_no_longer_be_done_in_time_leaves_instead_of_running_late() {
		let schedule = Arc::new(Schedule::default());
		let now = Instant::now();
		let slow = schedule.admit(1, Duration::from_millis(10), now + S * 100).unwrap();
		let waiting = schedule.admit(2, Duration::from_millis(10), now + S / 2).unwrap();
		let (release, released) = mpsc::channel::<()>();
		let (started, on_device) = mpsc::channel::<()>();
		// Job 2 is due first, so it would go first; the device is taken for measuring, which
		// overruns job 2's latest start.
		let measuring = {
			let schedule = schedule.clone();
			std::thread::spawn(move || {
				schedule.exclusive(S / 10, || {
					started.send(()).unwrap();
					released.recv().unwrap()
				})
			})
		};
		on_device.recv().unwrap();
		let refused = waiting.run(|| ()).expect_err("left once it could not be on time");
		assert_eq!(refused.job, 2);
		release.send(()).unwrap();
		measuring.join().unwrap();
		assert_eq!(slow.run(|| 7), Ok(7));
	}

	#[test]
	fn a_job_that_panics_on_the_device_frees_it() {
		let schedule = Arc::new(Schedule::default());
		let now = Instant::now();
		let crashing = schedule.admit(1, S, now + S * 10).unwrap();
		let after = schedule.admit(2, S, now + S * 20).unwrap();
		let crashed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
			crashing.run(|| panic!("the kernel crashed"))
		}));
		assert!(crashed.is_err());
		assert_eq!(after.run(|| 7), Ok(7));
	}
}
