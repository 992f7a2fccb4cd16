/**
 * The `lightsout` command line.
 * @module
 */
import { Command } from 'commander';
import { runStart } from './start-command.js';
import { runSimCommand } from './sim-command.js';
import { runEdgeCommand } from './edge-command.js';
import { registerAccessCommands } from './access-commands.js';
import { registerAuditCommands } from './audit-command.js';

const program = new Command();
program.name('lightsout').description('Lightsout: the open industrial internet platform for lights-out factories.');

program
  .command('start')
  .description('Start the platform: embedded MQTT broker (or an external one), ingest, historian, REST API.')
  .option('--http-port <port>', 'HTTP port (LIGHTSOUT_HTTP_PORT; default 8080)')
  .option('--http-host <addr>', 'HTTP bind address (LIGHTSOUT_HTTP_HOST; default 127.0.0.1)')
  .option('--mqtt-port <port>', 'embedded MQTT broker port (LIGHTSOUT_MQTT_PORT; default 1883)')
  .option('--mqtt-host <addr>', 'embedded MQTT broker bind address (LIGHTSOUT_MQTT_HOST; default 127.0.0.1)')
  .option('--mqtt-url <url>', 'use this external MQTT broker instead of the embedded one (LIGHTSOUT_MQTT_URL)')
  .option('--data-dir <dir>', 'data directory (LIGHTSOUT_DATA_DIR; default ./data)')
  .option('--tenant <name>', 'the default tenant, created at first start (LIGHTSOUT_TENANT; default demo)')
  .option('--tls-cert <file>', 'PEM certificate: serve HTTPS and MQTT over TLS (LIGHTSOUT_TLS_CERT)')
  .option('--tls-key <file>', 'PEM private key of --tls-cert (LIGHTSOUT_TLS_KEY)')
  .option('--demo', 'run the virtual factory inside (LIGHTSOUT_DEMO)')
  .option('--no-sim', 'with --demo, do not run the simulator (LIGHTSOUT_SIM=false)')
  .option('--factories <n>', 'virtual factory: sites (LIGHTSOUT_SIM_FACTORIES)')
  .option('--lines <n>', 'virtual factory: lines per site (LIGHTSOUT_SIM_LINES)')
  .option('--machines <n>', 'virtual factory: machines per line (LIGHTSOUT_SIM_MACHINES)')
  .option('--tags <n>', 'virtual factory: extra tags per machine (LIGHTSOUT_SIM_TAGS)')
  .option('--rate <hz>', 'virtual factory: updates per second per tag (LIGHTSOUT_SIM_RATE)')
  .option('--log-level <level>', 'trace|debug|info|warn|error|silent (LIGHTSOUT_LOG_LEVEL)')
  .option('--config <file>', 'JSON config file (LIGHTSOUT_CONFIG)')
  .action(runStart);

program
  .command('sim')
  .description('Run the virtual factory: Sparkplug B edge nodes and UNS JSON machines on an MQTT broker, plus an OPC UA server and a Modbus TCP server for the platform\'s connectors.')
  .option('--mqtt-url <url>', 'broker to publish to', 'mqtt://127.0.0.1:1883')
  .option('--username <name>', 'MQTT user name')
  .option('--password <secret>', 'MQTT password')
  .option('--tenant <name>', 'tenant of the UNS topics', 'demo')
  .option('--factories <n>', 'sites', '1')
  .option('--lines <n>', 'lines per site', '3')
  .option('--machines <n>', 'machines per line', '5')
  .option('--tags <n>', 'extra tags per machine', '0')
  .option('--rate <hz>', 'updates per second per tag', '1')
  .option('--seed <n>', 'random seed (same seed, same plant)', '42')
  .option('--protocol <mix>', 'all (assembly on OPC UA, conveyors on Modbus), mixed (Sparkplug and UNS only), sparkplug or uns', 'all')
  .option('--opcua-port <port>', 'port of the OPC UA server (0: a free one)', '4840')
  .option('--modbus-port <port>', 'port of the Modbus TCP server (0: a free one)', '5020')
  .option('--server-host <address>', 'address the OPC UA and Modbus servers listen on', '127.0.0.1')
  .option('--connectors-out <file>', 'write the connector definitions a platform needs to read those servers (a config file to pass with --config)')
  .action(runSimCommand);

program
  .command('edge')
  .description('Run the edge agent: read OPC UA / Modbus connectors and publish Sparkplug B to a central broker, with store-and-forward (docs/edge.md).')
  .requiredOption('--config <file>', 'edge config file (JSON)')
  .option('--log-level <level>', 'trace|debug|info|warn|error|silent (LIGHTSOUT_LOG_LEVEL)')
  .action(runEdgeCommand);

registerAccessCommands(program);
registerAuditCommands(program);

await program.parseAsync(process.argv);
