//! Starting, routing and stopping a sandbox.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::faults::{self, FaultBoard};
use crate::journal::{self, Journal};
use crate::{
    Config, Credentials, Faults, Service, Urls, blueconic, contacthub, customer_profiles, flagship,
};

/// What the route handlers of every service share: the configuration and each service's state.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) contacthub: contacthub::State,
    pub(crate) blueconic: blueconic::State,
    pub(crate) customer_profiles: customer_profiles::State,
    pub(crate) flagship: flagship::State,
}

/// A running sandbox on a loopback port. It stops when dropped.
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// use cdp_sandbox::{Config, Sandbox};
///
/// let sandbox = Sandbox::start_with(Config::default().customers(50)).await?;
/// let hub = sandbox.urls().contacthub.clone();
/// # let _ = hub;
/// sandbox.shutdown().await;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Sandbox {
    addr: SocketAddr,
    urls: Urls,
    shared: Arc<Shared>,
    journal: Journal,
    faults: FaultBoard,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Sandbox {
    /// Starts a sandbox with the default [`Config`] (fixed seed, a free port).
    pub async fn start() -> std::io::Result<Self> {
        Self::start_with(Config::default()).await
    }

    /// Starts a sandbox with the given configuration.
    pub async fn start_with(config: Config) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, config.port)).await?;
        let addr = listener.local_addr()?;
        let journal = Journal::new(config.journal_capacity);
        let faults = FaultBoard::new(config.seed, &config.faults);
        let shared = Arc::new(Shared {
            contacthub: contacthub::State::seeded(&config),
            blueconic: blueconic::State::seeded(&config),
            customer_profiles: customer_profiles::State::seeded(&config),
            flagship: flagship::State::seeded(&config),
            config,
        });
        let app = router(&shared, &journal, &faults);
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = rx.await;
            });
            // An accept loop error ends the sandbox; there is no caller left to tell.
            let _ = serve.await;
        });
        Ok(Self {
            addr,
            urls: Urls::new(addr),
            shared,
            journal,
            faults,
            shutdown: Some(tx),
            task,
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL of each service.
    pub fn urls(&self) -> &Urls {
        &self.urls
    }

    /// The credentials it accepts.
    pub fn credentials(&self) -> &Credentials {
        &self.shared.config.credentials
    }

    /// The configuration it started with.
    pub fn config(&self) -> &Config {
        &self.shared.config
    }

    /// What it received so far.
    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    /// Replaces the faults of a service (its draws restart from their seed).
    pub fn set_faults(&self, service: Service, faults: Faults) {
        self.faults.set(service, faults);
    }

    /// The faults of a service now.
    pub fn faults(&self, service: Service) -> Faults {
        self.faults.get(service)
    }

    /// ContactHub's state, to look at in tests.
    pub fn contacthub(&self) -> &contacthub::State {
        &self.shared.contacthub
    }

    /// BlueConic's state, to look at in tests.
    pub fn blueconic(&self) -> &blueconic::State {
        &self.shared.blueconic
    }

    /// AWS Customer Profiles' state, to look at in tests.
    pub fn customer_profiles(&self) -> &customer_profiles::State {
        &self.shared.customer_profiles
    }

    /// Flagship's state, to look at in tests.
    pub fn flagship(&self) -> &flagship::State {
        &self.shared.flagship
    }

    /// Stops accepting, lets requests in flight finish, and waits for the server to end.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.task.abort();
    }
}

fn router(shared: &Arc<Shared>, journal: &Journal, faults: &FaultBoard) -> Router {
    // Faults act inside the journal, so the journal records faulted requests with the status they got.
    let wrap = |service: Service, routes: Router| {
        routes
            .layer(from_fn_with_state((faults.clone(), service), faults::apply))
            .layer(from_fn_with_state(
                (journal.clone(), service),
                journal::record,
            ))
    };
    Router::new()
        .nest(
            "/contacthub",
            wrap(Service::ContactHub, contacthub::router(shared.clone())),
        )
        .nest(
            "/blueconic/rest/v2",
            wrap(Service::BlueConic, blueconic::router(shared.clone())),
        )
        .nest(
            "/aws",
            wrap(
                Service::CustomerProfiles,
                customer_profiles::router(shared.clone()),
            ),
        )
        .nest(
            "/flagship/decision",
            wrap(Service::Flagship, flagship::decision_router(shared.clone())),
        )
        .nest(
            "/flagship/cdn",
            wrap(Service::Flagship, flagship::cdn_router(shared.clone())),
        )
        // Merged, not nested: the collector answers at `/flagship/hits` and at `/flagship/hits/`,
        // where the generated client posts.
        .merge(wrap(
            Service::Flagship,
            flagship::hits_router(shared.clone(), "/flagship/hits"),
        ))
        .nest("/_sandbox", admin(journal.clone(), faults.clone()))
}

fn admin(journal: Journal, faults: FaultBoard) -> Router {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route(
            "/journal",
            get(
                |State((journal, _)): State<(Journal, FaultBoard)>| async move {
                    axum::Json(journal.entries())
                },
            )
            .delete(
                |State((journal, _)): State<(Journal, FaultBoard)>| async move {
                    journal.clear();
                    StatusCode::NO_CONTENT
                },
            ),
        )
        .route("/faults/{service}", get(get_faults).put(put_faults))
        .with_state((journal, faults))
}

async fn get_faults(
    State((_, faults)): State<(Journal, FaultBoard)>,
    Path(service): Path<String>,
) -> Response {
    match service.parse::<Service>() {
        Ok(service) => axum::Json(faults.get(service)).into_response(),
        Err(e) => (StatusCode::NOT_FOUND, e).into_response(),
    }
}

async fn put_faults(
    State((_, board)): State<(Journal, FaultBoard)>,
    Path(service): Path<String>,
    axum::Json(faults): axum::Json<Faults>,
) -> Response {
    match service.parse::<Service>() {
        Ok(service) => {
            board.set(service, faults);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => (StatusCode::NOT_FOUND, e).into_response(),
    }
}
