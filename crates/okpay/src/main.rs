//! `okpay`: the OKPay server and its operator commands.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use okpay::Config;

#[derive(Parser)]
#[command(name = "okpay", version, about = "OKPay: an open-source e-wallet and payment platform")]
struct Cli {
    /// TOML configuration file (optional; OKPAY_* environment variables override it).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start everything: API, web pages, background jobs.
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// The books.
    Ledger {
        #[command(subcommand)]
        command: LedgerCommand,
    },
    /// Accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
}

#[derive(Subcommand)]
enum LedgerCommand {
    /// Check every invariant of the books; exit non-zero naming any that fails.
    Verify {
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a staff account (or give an existing account a staff role). A new account's
    /// password is printed once; change it with "Forgot password".
    Create {
        /// The staff member's email address.
        #[arg(long)]
        email: String,
        /// `agent` (support) or `admin`.
        #[arg(long, value_parser = ["agent", "admin"])]
        role: String,
        /// Display name of a new account.
        #[arg(long, default_value = "OKPay staff")]
        name: String,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print every option with its default and documentation.
    Example,
}

/// mimalloc instead of glibc's allocator: a request allocates and frees many small buffers on
/// several threads, and glibc's allocator (its free lists, consolidation, unlinking chunks)
/// took about 9 % of the server's CPU under the transfer benchmark. With mimalloc the
/// PostgreSQL transfer benchmark served 7 % more (docs/benchmarks.md, session 18).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Config { command: ConfigCommand::Example } = cli.command {
        print!("{}", Config::example());
        return ExitCode::SUCCESS;
    }
    let result = Config::load(cli.config.as_deref(), std::env::vars()).and_then(|config| {
        init_logs(&config);
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .context("starting tokio")?
            .block_on(run(cli.command, config))
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("okpay: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, config: Config) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve => {
            let running = okpay::server::start(config).await?;
            println!("OKPay is listening on http://{} ({})", running.addr, running.backend);
            shutdown_signal().await;
            tracing::info!("shutting down");
            running.stop().await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            okpay_store::migrate(&config.database_url).await?;
            println!("migrations applied");
            Ok(ExitCode::SUCCESS)
        }
        Command::Ledger { command: LedgerCommand::Verify { json } } => {
            let stores = okpay_store::open(&config.database_url).await?;
            let report = stores.ledger.verify().await.context("verifying the books")?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                println!("checked {} journals in {} accounts", report.journals, report.accounts);
                for c in &report.checks {
                    let mark = if c.violations == 0 { "ok  " } else { "FAIL" };
                    println!("{mark} {:<26} {}", c.name, c.description);
                    for ex in &c.examples {
                        println!("       {ex}");
                    }
                }
            }
            if report.is_ok() {
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!("ledger verify FAILED: {}", report.failures().join(", "));
                Ok(ExitCode::from(2))
            }
        }
        Command::User { command: UserCommand::Create { email, role, name } } => {
            let stores = okpay_store::open(&config.database_url).await?;
            let staff = okpay_app::staff::bootstrap_staff(stores.app.as_ref(), &email, &role, &name)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("user: {}", staff.user_id);
            println!("role: {role}");
            match staff.password {
                Some(password) => println!("password: {password}"),
                None => println!("password: unchanged (the account already existed)"),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Config { .. } => Ok(ExitCode::SUCCESS),
    }
}

fn init_logs(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if config.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = ctrl_c.await;
                return;
            }
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
