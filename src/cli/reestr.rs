//! `hookscope reestr order`: an order by its id, from Reestr's API.

use hookscope::config::Paths;
use hookscope::providers::reestr;

use super::{config, runtime};

pub fn order(paths: &Paths, order_id: &str) -> anyhow::Result<()> {
    let config = config(paths)?;
    let order = runtime()?.block_on(reestr::api::order(&config.reestr, order_id))?;
    println!("{}", serde_json::to_string_pretty(&order)?);
    Ok(())
}
