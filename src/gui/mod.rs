//! The desktop app: a face over the engine. The UI thread only reads; the engine's tasks
//! capture on their own and wake the window with `request_repaint` when something arrives.

use std::sync::Arc;

use tokio::sync::broadcast;

use crate::capture::Capture;
use crate::config::{Config, Paths};
use crate::engine::Engine;

/// Opens the window and blocks until it closes; the listener stops with it.
pub fn run(config: Config, paths: Paths, runtime: tokio::runtime::Runtime) -> anyhow::Result<()> {
    let listening = runtime.block_on(Engine::start(config, &paths.store_file()));
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("hookscope")
            .with_inner_size([900.0, 600.0]),
        ..Default::default()
    };
    let result = eframe::run_native(
        "hookscope",
        options,
        Box::new(|cc| {
            let app = App::new(listening, runtime.handle().clone(), cc.egui_ctx.clone());
            Ok(Box::new(app) as Box<dyn eframe::App>)
        }),
    )
    .map_err(|e| {
        anyhow::anyhow!(
            "The window could not open ({e}). Without a display, run `hookscope serve`."
        )
    });
    result
}

pub struct App {
    engine: Result<Engine, String>,
    captures: Option<broadcast::Receiver<Arc<Capture>>>,
    total: u64,
    latest: Vec<Arc<Capture>>,
}

impl App {
    /// `ctx` is woken from the engine's runtime whenever a capture is committed.
    pub fn new(
        engine: Result<Engine, crate::engine::EngineError>,
        runtime: tokio::runtime::Handle,
        ctx: egui::Context,
    ) -> App {
        let engine = engine.map_err(|e| e.to_string());
        let total = engine
            .as_ref()
            .ok()
            .and_then(|e| e.store().reader().ok()?.count().ok())
            .unwrap_or(0);
        let captures = engine.as_ref().ok().map(|e| {
            let mut wake = e.store().subscribe();
            runtime.spawn(async move {
                while let Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) = wake.recv().await {
                    ctx.request_repaint();
                }
            });
            e.store().subscribe()
        });
        App {
            engine,
            captures,
            total,
            latest: Vec::new(),
        }
    }
}

impl eframe::App for App {
    fn logic(&mut self, _ctx: &egui::Context, _frame: &mut eframe::Frame) {
        let Some(captures) = &mut self.captures else {
            return;
        };
        loop {
            match captures.try_recv() {
                Ok(capture) => {
                    self.total += 1;
                    self.latest.push(capture);
                }
                Err(broadcast::error::TryRecvError::Lagged(n)) => self.total += n,
                Err(_) => break,
            }
        }
        let keep = self.latest.len().saturating_sub(20);
        self.latest.drain(..keep);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        egui::CentralPanel::default().show(ui, |ui| {
            ui.heading("hookscope");
            match &self.engine {
                Ok(engine) => {
                    ui.label(format!("Listening on http://{}", engine.local_addr()));
                }
                Err(error) => {
                    ui.colored_label(ui.visuals().error_fg_color, error);
                }
            }
            ui.label(format!("Captures: {}", self.total));
            ui.separator();
            for capture in self.latest.iter().rev() {
                ui.label(format!(
                    "#{} {} {} {}",
                    capture.id,
                    capture.judgement.provider.name(),
                    capture.judgement.answer.status,
                    capture.judgement.summary
                ));
            }
        });
    }
}
