import 'aws-sdk-client-mock-jest';
import { quietSdkNodeNotice } from '../simulator/quiet';

quietSdkNodeNotice();
